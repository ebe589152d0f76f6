// The render worker process. It connects and idles until the render farm issue gives it processors.
import { runWorker } from './worker-host';

runWorker('worker:render', async () => ({ close: async () => undefined })).catch((err: unknown) => {
  process.stderr.write(`render worker failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
