// Baseline for bench:upload: the least a Node server can do with an upload, streaming the body to disk.
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const dir = process.env.BARE_DIR ?? '/tmp';
let n = 0;
http
  .createServer((req, res) => {
    pipeline(req, createWriteStream(path.join(dir, `bare-${process.pid}-${n++}.bin`)))
      .then(() => res.writeHead(201).end('{}'))
      .catch(() => res.writeHead(500).end());
  })
  .listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
