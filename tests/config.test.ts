import { ConfigError, loadConfig } from '../src/config/env';

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

  it('names the variable and the problem in one line for an invalid value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/^Invalid configuration: PORT is invalid: .+$/);
    expect(() => loadConfig({ MONGO_URI: 'postgres://x' })).toThrow(/MONGO_URI is invalid: must start with mongodb/);
    expect(() => loadConfig({ JSON_BODY_LIMIT: 'lots' })).toThrow(/JSON_BODY_LIMIT is invalid/);
  });

  it('requires secrets of at least 32 characters and explicit service URLs in production', () => {
    const base = { NODE_ENV: 'production', MONGO_URI: 'mongodb://db:27017/studio', REDIS_URL: 'redis://cache:6379' };
    expect(() => loadConfig(base)).toThrow('Invalid configuration: JWT_ACCESS_SECRET is missing: required in production');
    expect(() => loadConfig({ ...base, JWT_ACCESS_SECRET: 'short' })).toThrow(/JWT_ACCESS_SECRET is invalid: must be at least 32 characters/);
    expect(() => loadConfig({ ...base, JWT_ACCESS_SECRET: 'x'.repeat(40), MONGO_URI: '' })).toThrow(/MONGO_URI is missing/);
    expect(loadConfig({ ...base, JWT_ACCESS_SECRET: 'x'.repeat(40) }).JWT_ACCESS_SECRET).toBe('x'.repeat(40));
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
