// HTTP in/out for /webhooks.
import type { Request, Response } from 'express';
import type { WebhookService } from '../services/WebhookService';
import { createWebhookBody, deliveriesQuery, redeliverParams, updateWebhookBody } from '../../infra/http/validators/event.validators';
import { idParams } from '../../infra/http/validators/common.validators';
import { actorOf } from '../../shared/middlewares/auth';

export class WebhookController {
  constructor(private readonly webhooks: WebhookService) {}

  create = async (req: Request, res: Response) => {
    const created = await this.webhooks.create(actorOf(req), createWebhookBody.parse(req.body));
    res.status(201).set('Cache-Control', 'no-store').location(`/webhooks/${created.id}`).json(created);
  };

  list = async (req: Request, res: Response) => {
    res.json({ data: await this.webhooks.list(actorOf(req)) });
  };

  get = async (req: Request, res: Response) => {
    res.json(await this.webhooks.get(actorOf(req), idParams.parse(req.params).id));
  };

  update = async (req: Request, res: Response) => {
    const { id } = idParams.parse(req.params);
    res.json(await this.webhooks.update(actorOf(req), id, updateWebhookBody.parse(req.body)));
  };

  remove = async (req: Request, res: Response) => {
    await this.webhooks.remove(actorOf(req), idParams.parse(req.params).id);
    res.status(204).end();
  };

  deliveries = async (req: Request, res: Response) => {
    const { id } = idParams.parse(req.params);
    res.json(await this.webhooks.deliveries(actorOf(req), id, deliveriesQuery.parse(req.query)));
  };

  redeliver = async (req: Request, res: Response) => {
    const { id, deliveryId } = redeliverParams.parse(req.params);
    res.status(202).json(await this.webhooks.redeliver(actorOf(req), id, deliveryId));
  };

  test = async (req: Request, res: Response) => {
    res.status(202).json(await this.webhooks.sendTest(actorOf(req), idParams.parse(req.params).id));
  };
}
