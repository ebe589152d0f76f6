// Baseline for bench:list: a bare Node http handler on the same route template, answering with the
// same JSON body the API gave for a page, from memory. No framework, no auth check, no database.
import { readFileSync } from 'node:fs';
import http from 'node:http';

const body = readFileSync(process.env.BODY_FILE!);
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && (req.url === '/assets' || req.url?.startsWith('/assets?'))) {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
    res.end(body);
    return;
  }
  res.writeHead(404).end();
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
