// HTTP in/out for /users.
import type { Request, Response } from 'express';
import type { UserService } from '../services/UserService';
import { listUsersQuery, updateUserBody, userIdParams } from '../../infra/http/validators/auth.validators';
import { actorOf } from '../../shared/middlewares/auth';

export class UserController {
  constructor(private readonly users: UserService) {}

  list = async (req: Request, res: Response) => {
    const query = listUsersQuery.parse(req.query);
    res.json(await this.users.list(actorOf(req), query));
  };

  update = async (req: Request, res: Response) => {
    const { id } = userIdParams.parse(req.params);
    const patch = updateUserBody.parse(req.body);
    res.json(await this.users.update(actorOf(req), id, patch));
  };
}
