// GET /openapi.json and a Swagger UI at /docs, both public.
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { buildOpenApiDocument } from '../openapi';
import '../validators';

export function docsRoutes(): Router {
  const router = Router();
  let doc: ReturnType<typeof buildOpenApiDocument> | undefined;
  const document = () => (doc ??= buildOpenApiDocument());
  router.get('/openapi.json', (_req, res) => {
    res.json(document());
  });
  router.use('/docs', swaggerUi.serve);
  router.get('/docs', (req, res, next) => swaggerUi.setup(document())(req, res, next));
  return router;
}
