// The HTTP server with the slow-client protections from config, shared by the api process and tests.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import type { Config } from '../../config/env';

/**
 * Requests Node's parser refuses before the app sees them (a body cut short by a half-closed socket,
 * oversized or malformed headers, the header deadline) get the error contract too, with a fresh
 * correlation ID, instead of Node's bare status line.
 */
function answerClientError(err: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Duplex): void {
  // As Node's own handler does: once a response on this socket has started, nothing more can be said on it.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'Request headers too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'The request was not received in time']
        : [400, 'MALFORMED_REQUEST', 'The request could not be parsed as HTTP'];
  const id = randomUUID();
  const body = JSON.stringify({ error: { code, message, correlationId: id } });
  // Flush the answer, then close both ways: a slow client that never closes its side must not keep the socket.
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${id}\r\nConnection: close\r\n\r\n${body}`,
  );
}

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
  // A client that stops sending mid-upload (or stops reading a download) but keeps its socket open:
  // after this long with no bytes either way the socket is destroyed, the upload fails as a client abort
  // and its partial object is removed. Socket.IO pings every 25 s, so live connections are never idle.
  server.timeout = config.HTTP_IDLE_TIMEOUT_MS;
  server.on('clientError', answerClientError);
  return server;
}

/**
 * The client address of a request Express never sees (the Socket.IO handshake), as Express itself would give
 * it: `ip` of the app's request prototype applies the app's `trust proxy` setting (TRUST_PROXY), so a socket's
 * per-address budget counts the same address as the HTTP limits behind a load balancer.
 */
export function clientIpOf(app: Express): (req: http.IncomingMessage) => string {
  return (req) => {
    const view = Object.create(app.request, { headers: { value: req.headers }, socket: { value: req.socket } }) as { ip?: string };
    return view.ip ?? req.socket.remoteAddress ?? 'unknown';
  };
}
