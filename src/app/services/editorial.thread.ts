// The editorial parse thread (a BudgetedThread): an OTIO document's bytes in, its shot rows out, so the
// JSON.parse of a timeline at its byte cap never runs on the API's event loop. Refusals (not JSON, too deep,
// too many shots) come back as data for EditorialService to raise.
import { parentPort } from 'node:worker_threads';
import { DomainError } from '../../shared/errors';
import type { Rational } from '../repositories/models/Project';
import type { ThreadReply } from '../../infra/threads/BudgetedThread';
import { readOtioText } from './editorial';

export interface OtioJob {
  bytes: Uint8Array;
  fps: Rational;
}

parentPort?.on('message', ({ bytes, fps }: OtioJob) => {
  let reply: ThreadReply;
  try {
    // TextDecoder drops a byte-order mark and replaces malformed UTF-8, as the CSV and EDL readers do.
    reply = { ok: true, value: readOtioText(new TextDecoder().decode(bytes), fps) };
  } catch (err) {
    reply = err instanceof DomainError ? { ok: false, error: { code: err.code, message: err.message, status: err.status, details: err.details } } : { ok: false, error: { message: String((err as Error).message ?? err) } };
  }
  parentPort!.postMessage(reply);
});
parentPort?.postMessage({ ready: true });
