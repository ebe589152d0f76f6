// Review over REST: comments on frames and decisions (the Socket.IO events' twins).
import { Router, type RequestHandler } from 'express';
import type { ReviewController } from '../../../app/controllers/ReviewController';

export function reviewRoutes(r: ReviewController, authn: RequestHandler): Router {
  const router = Router();
  router.get('/assets/:id/comments', authn, r.listComments);
  router.post('/assets/:id/comments', authn, r.addComment);
  router.get('/assets/:id/reviews', authn, r.listDecisions);
  router.post('/assets/:id/versions/:v/review', authn, r.decide);
  return router;
}
