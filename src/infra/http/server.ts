// The HTTP server with the slow-client protections from config, shared by the api process and tests.
import http from 'node:http';
import type { Express } from 'express';
import type { Config } from '../../config/env';

export function createHttpServer(app: Express, config: Config): http.Server {
  // Node only checks these deadlines every connectionsCheckingInterval (30 s by default); check often
  // enough that a slow client is cut off close to HTTP_HEADERS_TIMEOUT_MS.
  const interval = Math.max(250, Math.min(5_000, Math.floor(config.HTTP_HEADERS_TIMEOUT_MS / 4)));
  const server = http.createServer({ connectionsCheckingInterval: interval }, app);
  // Slowloris protection: headers must arrive promptly. Bodies may be multi-GB uploads, so the
  // whole-request timeout is off by default and idle keep-alive sockets are reaped instead.
  server.headersTimeout = config.HTTP_HEADERS_TIMEOUT_MS;
  server.requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  return server;
}
