// Production tracking: projects → (episodes) → sequences → shots, the shot grid, casting, tasks and their
// configuration, editorial import/export, notifications and search.
import { Router, type RequestHandler } from 'express';
import type { ProductionController } from '../../../app/controllers/ProductionController';
import type { TaskController } from '../../../app/controllers/TaskController';
import type { NotificationController } from '../../../app/controllers/NotificationController';
import { methodNotAllowed } from '../../../shared/middlewares/errorHandler';

export function productionRoutes(p: ProductionController, t: TaskController, n: NotificationController, authn: RequestHandler): Router {
  const router = Router();
  router.get('/projects', authn, p.listProjects);
  router.post('/projects', authn, p.createProject);
  router.get('/projects/:id', authn, p.getProject);
  router.patch('/projects/:id', authn, p.updateProject);
  router.get('/projects/:id/episodes', authn, p.listEpisodes);
  router.post('/projects/:id/episodes', authn, p.createEpisode);
  router.get('/projects/:id/sequences', authn, p.listSequences);
  router.post('/projects/:id/sequences', authn, p.createSequence);
  router.get('/projects/:id/grid', authn, p.grid);
  router.get('/projects/:id/asset-grid', authn, p.assetGrid);
  router.post('/projects/:id/editorial/import', authn, p.importEditorial);
  router.get('/projects/:id/editorial/export', authn, p.exportEditorial);
  router.get('/sequences/:id', authn, p.getSequence);
  router.patch('/sequences/:id', authn, p.updateSequence);
  router.get('/sequences/:id/shots', authn, p.listShots);
  router.post('/sequences/:id/shots', authn, p.createShot);
  router.get('/shots/:id', authn, p.getShot);
  router.patch('/shots/:id', authn, p.updateShot);
  router.get('/shots/:id/casting', authn, p.shotCasting);
  router.put('/shots/:id/casting', authn, p.setShotCasting);
  router.get('/assets/:id/casting', authn, p.assetCasting);

  router.get('/tasks', authn, t.list);
  router.post('/tasks', authn, t.create);
  // Before /tasks/:id, so "bulk" is never read as an id, and any other method on it is the 405 it is.
  router.post('/tasks/bulk', authn, t.bulk);
  router.all('/tasks/bulk', (req, _res, next) => next(req.method === 'OPTIONS' ? undefined : methodNotAllowed(req, ['POST'])));
  router.get('/tasks/:id', authn, t.get);
  router.patch('/tasks/:id', authn, t.update);
  router.post('/tasks/:id/submit', authn, t.submit);
  router.get('/tasks/:id/history', authn, t.history);
  router.get('/task-permissions', authn, t.permissions);
  router.get('/review-queue', authn, t.waitingForReview);
  router.get('/task-types', authn, t.types);
  router.post('/task-types', authn, t.createType);
  router.patch('/task-types/:id', authn, t.updateType);
  router.get('/task-statuses', authn, t.statuses);
  router.post('/task-statuses', authn, t.createStatus);
  router.patch('/task-statuses/:id', authn, t.updateStatus);

  router.get('/notifications', authn, n.list);
  router.get('/notifications/unread-count', authn, n.unreadCount);
  router.post('/notifications/read-all', authn, n.markAllRead);
  router.post('/notifications/read', authn, n.markManyRead);
  router.get('/notifications/digest', authn, n.digest);
  router.put('/notifications/digest', authn, n.setDigest);
  router.post('/notifications/:id/read', authn, n.markRead);
  router.get('/search', authn, n.search);
  return router;
}
