import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  for (const svc of globalThis.__STUDIO_TEST_SERVICES__ ?? []) await svc.stop();
  if (process.env.STUDIO_TEST_DATA_DIR) rmSync(process.env.STUDIO_TEST_DATA_DIR, { recursive: true, force: true });
}
