// /webhooks (PRODUCERs) and /events (the studio's event log, paged and streamed).
import { Router, type RequestHandler } from 'express';
import type { WebhookController } from '../../../app/controllers/WebhookController';
import type { EventController } from '../../../app/controllers/EventController';

export function integrationRoutes(w: WebhookController, e: EventController, authn: RequestHandler): Router {
  const router = Router();
  router.get('/events', authn, e.list);
  router.get('/events/stream', authn, e.stream);
  router.post('/webhooks', authn, w.create);
  router.get('/webhooks', authn, w.list);
  router.get('/webhooks/:id', authn, w.get);
  router.patch('/webhooks/:id', authn, w.update);
  router.delete('/webhooks/:id', authn, w.remove);
  router.get('/webhooks/:id/deliveries', authn, w.deliveries);
  router.post('/webhooks/:id/deliveries/:deliveryId/redeliver', authn, w.redeliver);
  router.post('/webhooks/:id/test', authn, w.test);
  return router;
}
