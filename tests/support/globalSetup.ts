// Provides real MongoDB-wire, Redis and S3-compatible servers for the whole run: the URLs from the environment when
// given (CI exports them), else servers started here on free loopback ports and stopped at the end
// (FerretDB's throw-away PostgreSQL cluster lives in the run's data dir and goes with it).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMongo, startRedis, type RunningService } from '../../src/infra/embedded/embedded';
import { startS3 } from '../../src/infra/embedded/s3';

declare global {
  // Shared with globalTeardown, which runs in the same process.
  var __STUDIO_TEST_SERVICES__: RunningService[] | undefined;
}

export default async function globalSetup(): Promise<void> {
  // Says which runtime the suite runs on (npm scripts put the pinned node devDependency first on PATH).
  process.stdout.write(`\ntests run on Node ${process.version}\n`);
  const started: RunningService[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'studio-test-'));
  process.env.STUDIO_TEST_DATA_DIR = dataDir;
  if (!process.env.MONGO_URI) {
    const mongo = await startMongo({ dataDir, detached: false, persistent: false });
    started.push(mongo);
    process.env.MONGO_URI = mongo.url;
    process.stdout.write(`MongoDB-wire server: ${mongo.kind}${mongo.backend ? ` on ${mongo.backend.kind}` : ''}\n`);
  }
  if (!process.env.REDIS_URL) {
    const redis = await startRedis({ dataDir, detached: false, persistent: false });
    started.push(redis);
    process.env.REDIS_URL = redis.url;
  }
  // The S3-compatible server the S3 driver's tests run on (moto unless S3_ENDPOINT names another).
  if (!process.env.S3_ENDPOINT) {
    const s3 = await startS3({ dataDir, detached: false, persistent: false });
    started.push(s3);
    process.env.S3_ENDPOINT = s3.url;
  }
  globalThis.__STUDIO_TEST_SERVICES__ = started;
}
