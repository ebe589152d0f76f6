// Request fields the middlewares add.
import 'express-serve-static-core';

declare module 'express-serve-static-core' {
  interface Request {
    correlationId?: string;
    /** The authenticated actor (one type with the services', so a new scope or field needs no second edit). */
    user?: import('../app/services/types').Actor;
  }
}
