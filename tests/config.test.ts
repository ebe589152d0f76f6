import { PassThrough } from 'node:stream';
import mongoose from 'mongoose';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig } from '../src/config/env';
import { buildApi, buildWorker } from '../src/container';
import { createLogger } from '../src/infra/logging/logger';

describe('config: the environment is validated at start-up', () => {
  it('applies safe defaults in development, including a random JWT secret', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.PORT).toBe(3000);
    expect(a.STORAGE_DRIVER).toBe('local');
    expect(a.MAX_UPLOAD_BYTES).toBe(20 * 1024 ** 3);
    expect(a.JWT_ACCESS_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(a.JWT_ACCESS_SECRET).not.toBe(b.JWT_ACCESS_SECRET);
  });

  it('throttles logins per client and account by default, and reads the deprecated per-email limit as both thresholds', () => {
    const d = loadConfig({});
    expect([d.AUTH_FAILURES_PER_CLIENT, d.AUTH_DELAY_AFTER_FAILURES, d.AUTH_FIRST_DELAY_MS, d.AUTH_MAX_DELAY_MS]).toEqual([5, 10, 250, 4000]);
    // A deployment that set the old block keeps its number, now as a per-client limit and the start of the delays.
    const legacy = loadConfig({ AUTH_RATE_LIMIT_MAX_PER_EMAIL: '20' });
    expect([legacy.AUTH_FAILURES_PER_CLIENT, legacy.AUTH_DELAY_AFTER_FAILURES]).toEqual([20, 20]);
    expect(loadConfig({ AUTH_RATE_LIMIT_MAX_PER_EMAIL: '20', AUTH_FAILURES_PER_CLIENT: '3' }).AUTH_FAILURES_PER_CLIENT).toBe(3);
    expect(() => loadConfig({ AUTH_MAX_DELAY_MS: '60000' })).toThrow(/AUTH_MAX_DELAY_MS is invalid/);
  });

  it('names the variable and the problem in one line for an invalid value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/^Invalid configuration: PORT is invalid: .+$/);
    expect(() => loadConfig({ MONGO_URI: 'postgres://x' })).toThrow(/MONGO_URI is invalid: must start with mongodb/);
    expect(() => loadConfig({ JSON_BODY_LIMIT: 'lots' })).toThrow(/JSON_BODY_LIMIT is invalid/);
  });

  it('bounds what a studio\'s open uploads may reserve below by the largest file, and takes the part signer\'s key pair whole', () => {
    const d = loadConfig({});
    expect([d.UPLOADS_MAX_OPEN_PER_STUDIO, d.UPLOADS_MAX_RESERVED_BYTES_PER_STUDIO]).toEqual([100, 200 * 1024 ** 3]);
    expect(() => loadConfig({ MAX_UPLOAD_BYTES: '20gib', UPLOADS_MAX_RESERVED_BYTES_PER_STUDIO: '10gib' })).toThrow(/UPLOADS_MAX_RESERVED_BYTES_PER_STUDIO must be at least MAX_UPLOAD_BYTES/);
    expect(() => loadConfig({ S3_UPLOAD_SIGNER_ACCESS_KEY_ID: 'uploader' })).toThrow(/set both S3_UPLOAD_SIGNER_ACCESS_KEY_ID and S3_UPLOAD_SIGNER_SECRET_ACCESS_KEY, or neither/);
    expect(loadConfig({ S3_UPLOAD_SIGNER_ACCESS_KEY_ID: '', S3_UPLOAD_SIGNER_SECRET_ACCESS_KEY: '' }).S3_UPLOAD_SIGNER_ACCESS_KEY_ID).toBeUndefined();
  });

  it('requires secrets of at least 32 characters and explicit service URLs in production', () => {
    const base = { NODE_ENV: 'production', MONGO_URI: 'mongodb://db:27017/studio', REDIS_URL: 'redis://cache:6379' };
    expect(() => loadConfig(base)).toThrow('Invalid configuration: JWT_ACCESS_SECRET is missing: required in production');
    expect(() => loadConfig({ ...base, JWT_ACCESS_SECRET: 'short' })).toThrow(/JWT_ACCESS_SECRET is invalid: must be at least 32 characters/);
    expect(() => loadConfig({ ...base, JWT_ACCESS_SECRET: 'x'.repeat(40), METRICS_TOKEN: 'm'.repeat(20), MONGO_URI: '' })).toThrow(/MONGO_URI is missing/);
    expect(loadConfig({ ...base, JWT_ACCESS_SECRET: 'x'.repeat(40), METRICS_TOKEN: 'm'.repeat(20), SMTP_URL: 'smtp://mail:25' }).JWT_ACCESS_SECRET).toBe('x'.repeat(40));
  });

  it('needs an SMTP server in production for the api (invitations and verification are mailed), not for workers', () => {
    const base = { NODE_ENV: 'production', MONGO_URI: 'mongodb://db:27017/studio', REDIS_URL: 'redis://cache:6379', JWT_ACCESS_SECRET: 'x'.repeat(40), METRICS_TOKEN: 'm'.repeat(20) };
    expect(() => loadConfig(base)).toThrow(/^Invalid configuration: SMTP_URL is missing: required in production/);
    expect(() => loadConfig({ ...base, SMTP_URL: 'mail.example.com' })).toThrow('Invalid configuration: SMTP_URL is invalid: must start with smtp:// or smtps://');
    expect(loadConfig({ ...base, SMTP_URL: 'smtps://u:p@mail.example.com:465' }).SMTP_URL).toBe('smtps://u:p@mail.example.com:465');
    expect(loadConfig({ ...base, JWT_ACCESS_SECRET: '' }, { process: 'worker' }).SMTP_URL).toBeUndefined();
  });

  it('keeps /metrics private in production: the api does not start without METRICS_TOKEN', () => {
    const base = { NODE_ENV: 'production', MONGO_URI: 'mongodb://db:27017/studio', REDIS_URL: 'redis://cache:6379', JWT_ACCESS_SECRET: 'x'.repeat(40) };
    expect(() => loadConfig(base)).toThrow('Invalid configuration: METRICS_TOKEN is missing: required in production (GET /metrics needs it as a Bearer token)');
    expect(loadConfig({ ...base, METRICS_TOKEN: 'm'.repeat(20), SMTP_URL: 'smtp://mail:25' }).METRICS_TOKEN).toBe('m'.repeat(20));
    // Workers serve metrics only on WORKER_METRICS_PORT, off by default, so they do not need it.
    expect(loadConfig({ ...base, JWT_ACCESS_SECRET: '' }, { process: 'worker' }).METRICS_TOKEN).toBeUndefined();
  });

  it('gives a worker no JWT signing key, even when the environment has one, and does not ask for it in production', () => {
    const base = { NODE_ENV: 'production', MONGO_URI: 'mongodb://db:27017/studio', REDIS_URL: 'redis://cache:6379' };
    expect(loadConfig(base, { process: 'worker' }).JWT_ACCESS_SECRET).toBe('');
    expect(loadConfig({ ...base, JWT_ACCESS_SECRET: 'x'.repeat(40) }, { process: 'worker' }).JWT_ACCESS_SECRET).toBe('');
    expect(loadConfig({ JWT_ACCESS_SECRET: 'y'.repeat(40) }, { process: 'worker' }).JWT_ACCESS_SECRET).toBe('');
  });

  it('builds a worker without the signing key or any token service, and the api with them', async () => {
    const config = loadConfig({ JWT_ACCESS_SECRET: 's'.repeat(40), STORAGE_LOCAL_ROOT: '/tmp/studio-config-test-storage' });
    // Unconnected clients: building the graph does no I/O.
    const infra = { config, logger: createLogger({ level: 'error', service: 'test', stream: new PassThrough() }), mongo: mongoose.createConnection(), redis: new Redis({ lazyConnect: true }) };
    const worker = buildWorker(infra);
    expect(worker.config.JWT_ACCESS_SECRET).toBe('');
    expect(Object.keys(worker)).not.toEqual(expect.arrayContaining(['tokens']));
    await worker.dispose();
    const api = buildApi(buildWorker(infra));
    // An api built on a worker's core could not sign: its tokens refuse to exist without a key.
    expect(() => api.tokens.signAccess({ id: 'u', studioId: 's', role: 'ARTIST' }, 0)).toThrow();
    await api.dispose();
    infra.redis.disconnect();
  });

  it('requires an operator token of at least 32 characters when one is set', () => {
    expect(() => loadConfig({ OPERATOR_TOKEN: 'short' })).toThrow(/OPERATOR_TOKEN is invalid: must be at least 32 characters/);
    expect(loadConfig({}).OPERATOR_TOKEN).toBeUndefined();
    expect(loadConfig({ OPERATOR_TOKEN: 'o'.repeat(32) }).OPERATOR_QUEUES_WRITE).toBe(false);
  });

  it('parses byte sizes, lists and booleans', () => {
    const c = loadConfig({ MAX_UPLOAD_BYTES: '5gib', JSON_BODY_LIMIT: '512kb', CORS_ORIGINS: 'https://a.example, https://b.example', S3_FORCE_PATH_STYLE: 'true' });
    expect(c.MAX_UPLOAD_BYTES).toBe(5 * 1024 ** 3);
    expect(c.JSON_BODY_LIMIT).toBe(512 * 1024);
    expect(c.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(c.S3_FORCE_PATH_STYLE).toBe(true);
  });

  it('requires a bucket when the S3 driver is chosen', () => {
    expect(() => loadConfig({ STORAGE_DRIVER: 's3' })).toThrow(/S3_BUCKET is missing/);
  });
});
