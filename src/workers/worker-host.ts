// Shared life of a worker process: boot infra, run until a signal, then close what it opened.
import { bootInfra, type BootedInfra } from '../bootstrap';

export interface WorkerHandle {
  close(): Promise<void>;
}

export async function runWorker(name: string, start: (infra: BootedInfra) => Promise<WorkerHandle>): Promise<void> {
  const infra = await bootInfra(name);
  const handle = await start(infra);
  infra.logger.info('worker ready', { worker: name });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    infra.logger.info('worker stopping', { worker: name, signal });
    const hardStop = setTimeout(() => process.exit(1), infra.config.SHUTDOWN_TIMEOUT_MS);
    hardStop.unref();
    await handle.close();
    await infra.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
