// HTTP in/out for the caller's notifications and the studio-wide search.
import type { Request, Response } from 'express';
import type { NotificationService } from '../services/NotificationService';
import type { SearchService } from '../services/SearchService';
import { idParams } from '../../infra/http/validators/common.validators';
import { digestBody, listNotificationsQuery, markNotificationsReadBody, searchQuery } from '../../infra/http/validators/production.validators';
import { actorOf } from '../../shared/middlewares/auth';

export class NotificationController {
  constructor(private readonly s: { notifications: NotificationService; search: SearchService }) {}

  list = async (req: Request, res: Response) => {
    res.json(await this.s.notifications.list(actorOf(req), listNotificationsQuery.parse(req.query)));
  };

  unreadCount = async (req: Request, res: Response) => {
    res.json(await this.s.notifications.unreadCount(actorOf(req)));
  };

  markRead = async (req: Request, res: Response) => {
    res.json(await this.s.notifications.markRead(actorOf(req), idParams.parse(req.params).id));
  };

  markManyRead = async (req: Request, res: Response) => {
    res.json(await this.s.notifications.markManyRead(actorOf(req), markNotificationsReadBody.parse(req.body).ids));
  };

  digest = async (req: Request, res: Response) => {
    res.json(await this.s.notifications.digest(actorOf(req)));
  };

  setDigest = async (req: Request, res: Response) => {
    res.json(await this.s.notifications.setDigest(actorOf(req), digestBody.parse(req.body).frequency));
  };

  markAllRead = async (req: Request, res: Response) => {
    res.json(await this.s.notifications.markAllRead(actorOf(req)));
  };

  search = async (req: Request, res: Response) => {
    const { q, types, limit } = searchQuery.parse(req.query);
    res.json(await this.s.search.search(actorOf(req), q, types, limit));
  };
}
