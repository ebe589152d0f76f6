// The asset pipeline worker process. It connects and idles until the pipeline issue gives it processors.
import { runWorker } from './worker-host';

runWorker('worker:pipeline', async () => ({ close: async () => undefined })).catch((err: unknown) => {
  process.stderr.write(`pipeline worker failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
