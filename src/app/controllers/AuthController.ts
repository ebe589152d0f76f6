// HTTP in/out for /auth: parse, call AuthService, shape the reply.
import type { Request, Response } from 'express';
import type { AuthService } from '../services/AuthService';
import { changePasswordBody, loginBody, refreshBody, registerBody, switchStudioBody, verifyEmailBody } from '../../infra/http/validators/auth.validators';
import { actorOf } from '../../shared/middlewares/auth';

export class AuthController {
  constructor(private readonly auth: AuthService) {}

  register = async (req: Request, res: Response) => {
    const input = registerBody.parse(req.body);
    res.status(202).json(await this.auth.register(input));
  };

  verifyEmail = async (req: Request, res: Response) => {
    const { token } = verifyEmailBody.parse(req.body);
    res.status(201).json(await this.auth.verifyEmail(token));
  };

  login = async (req: Request, res: Response) => {
    const { email, password, studioId } = loginBody.parse(req.body);
    res.json(await this.auth.login(email, password, studioId));
  };

  studios = async (req: Request, res: Response) => {
    res.json({ data: await this.auth.memberships(actorOf(req)) });
  };

  switchStudio = async (req: Request, res: Response) => {
    const { studioId } = switchStudioBody.parse(req.body);
    res.json(await this.auth.switchStudio(actorOf(req), studioId));
  };

  refresh = async (req: Request, res: Response) => {
    const { refreshToken } = refreshBody.parse(req.body);
    res.json(await this.auth.refresh(refreshToken));
  };

  logout = async (req: Request, res: Response) => {
    const { refreshToken } = refreshBody.parse(req.body);
    await this.auth.logout(refreshToken);
    res.status(204).end();
  };

  logoutEverywhere = async (req: Request, res: Response) => {
    await this.auth.logoutEverywhere(actorOf(req));
    res.status(204).end();
  };

  changePassword = async (req: Request, res: Response) => {
    const { currentPassword, newPassword } = changePasswordBody.parse(req.body);
    res.json(await this.auth.changePassword(actorOf(req), currentPassword, newPassword));
  };

  me = async (req: Request, res: Response) => {
    res.json(await this.auth.me(actorOf(req)));
  };
}
