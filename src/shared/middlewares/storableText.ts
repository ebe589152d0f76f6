// Refuses JSON bodies and query strings carrying text no store can keep (see shared/security/storableText).
import type { NextFunction, Request, Response } from 'express';
import { ValidationError } from '../errors';
import { findUnstorable } from '../security/storableText';

export function storableText() {
  return (req: Request, _res: Response, next: NextFunction) => {
    const bad = findUnstorable(req.body, '(root)') ?? findUnstorable(req.query, 'query');
    if (bad) {
      throw new ValidationError('VALIDATION_FAILED', 'Request validation failed', { details: [{ path: bad, message: 'contains a NUL character or an unpaired UTF-16 surrogate' }] });
    }
    next();
  };
}
