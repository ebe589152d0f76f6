// HTTP in/out for tasks, task types and task statuses.
import type { Request, Response } from 'express';
import type { TaskService } from '../services/TaskService';
import { idParams, pageQuery } from '../../infra/http/validators/common.validators';
import {
  bulkUpdateTasksBody,
  createTaskBody,
  createTaskStatusBody,
  createTaskTypeBody,
  listTasksQuery,
  submitTaskBody,
  updateTaskBody,
  updateTaskStatusBody,
  updateTaskTypeBody,
} from '../../infra/http/validators/production.validators';
import { actorOf } from '../../shared/middlewares/auth';

const etag = (x: { id: string; revision: number }) => `"${x.id}.${x.revision}"`;

export class TaskController {
  constructor(private readonly tasks: TaskService) {}

  create = async (req: Request, res: Response) => {
    const task = await this.tasks.create(actorOf(req), createTaskBody.parse(req.body));
    res.status(201).location(`/tasks/${task.id}`).set('ETag', etag(task)).json(task);
  };

  list = async (req: Request, res: Response) => {
    res.json(await this.tasks.list(actorOf(req), listTasksQuery.parse(req.query)));
  };

  bulk = async (req: Request, res: Response) => {
    res.json(await this.tasks.bulkUpdate(actorOf(req), bulkUpdateTasksBody.parse(req.body)));
  };

  permissions = (req: Request, res: Response) => {
    res.json(this.tasks.permissions(actorOf(req)));
  };

  get = async (req: Request, res: Response) => {
    const task = await this.tasks.get(actorOf(req), idParams.parse(req.params).id);
    res.set('ETag', etag(task)).json(task);
  };

  update = async (req: Request, res: Response) => {
    const { id } = idParams.parse(req.params);
    const task = await this.tasks.update(actorOf(req), id, updateTaskBody.parse(req.body), req.header('if-match'));
    res.set('ETag', etag(task)).json(task);
  };

  history = async (req: Request, res: Response) => {
    res.json(await this.tasks.history(actorOf(req), idParams.parse(req.params).id, pageQuery.parse(req.query)));
  };

  waitingForReview = async (req: Request, res: Response) => {
    res.json(await this.tasks.waitingForReview(actorOf(req), pageQuery.parse(req.query)));
  };

  submit = async (req: Request, res: Response) => {
    const { id } = idParams.parse(req.params);
    const { version, note } = submitTaskBody.parse(req.body);
    const task = await this.tasks.submit(actorOf(req), id, version, note);
    res.set('ETag', etag(task)).json(task);
  };

  types = async (req: Request, res: Response) => {
    res.json(await this.tasks.types(actorOf(req)));
  };

  createType = async (req: Request, res: Response) => {
    res.status(201).json(await this.tasks.createType(actorOf(req), createTaskTypeBody.parse(req.body)));
  };

  updateType = async (req: Request, res: Response) => {
    res.json(await this.tasks.updateType(actorOf(req), idParams.parse(req.params).id, updateTaskTypeBody.parse(req.body)));
  };

  statuses = async (req: Request, res: Response) => {
    res.json(await this.tasks.statuses(actorOf(req)));
  };

  createStatus = async (req: Request, res: Response) => {
    res.status(201).json(await this.tasks.createStatus(actorOf(req), createTaskStatusBody.parse(req.body)));
  };

  updateStatus = async (req: Request, res: Response) => {
    res.json(await this.tasks.updateStatus(actorOf(req), idParams.parse(req.params).id, updateTaskStatusBody.parse(req.body)));
  };
}
