// Accepts a well-formed X-Request-Id or makes one, echoes it, and runs the request inside its context.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { runWithContext } from '../../infra/logging/context';

const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

export function correlationId() {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.header('x-request-id');
    const id = incoming && WELL_FORMED.test(incoming) ? incoming : randomUUID();
    req.correlationId = id;
    res.setHeader('X-Request-Id', id);
    runWithContext({ correlationId: id }, next);
  };
}
