// A large JSON answer (an editorial dry run of 10,000 re-timed shots is megabytes) written in slices instead
// of one JSON.stringify of the whole, which holds the event loop for the whole document (and res.json then
// hashes it for an ETag). Plain objects are written key by key and arrays element by element, each element
// with one JSON.stringify; the writer gives the event loop a turn once a slice of time is used up and waits
// for the socket to drain. Only for values the server built itself: plain objects, arrays and JSON scalars.
import type { Response } from 'express';
import { TimeSlicer } from '../../shared/scheduling/timeSlicer';

const FLUSH_CHARS = 64 * 1024;

export async function sendJsonSliced(res: Response, value: unknown): Promise<void> {
  res.type('application/json');
  const slicer = new TimeSlicer();
  let buffered: string[] = [];
  let size = 0;
  let gone = false;
  res.once('close', () => (gone = true));
  const flush = async () => {
    if (size === 0 || gone) return;
    const ok = res.write(buffered.join(''));
    buffered = [];
    size = 0;
    if (ok) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done).off('close', done);
        resolve();
      };
      res.on('drain', done).on('close', done);
    });
  };
  const emit = async (text: string) => {
    buffered.push(text);
    size += text.length;
    if (size >= FLUSH_CHARS) await flush();
    await slicer.turn();
  };
  const write = async (v: unknown): Promise<void> => {
    if (Array.isArray(v)) {
      await emit('[');
      for (let i = 0; i < v.length && !gone; i++) await emit(`${i ? ',' : ''}${JSON.stringify(v[i]) ?? 'null'}`);
      await emit(']');
    } else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      let first = true;
      await emit('{');
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined || gone) continue;
        await emit(`${first ? '' : ','}${JSON.stringify(k)}:`);
        first = false;
        await write(x);
      }
      await emit('}');
    } else await emit(JSON.stringify(v) ?? 'null');
  };
  await write(value);
  await flush();
  if (!gone) res.end();
}
