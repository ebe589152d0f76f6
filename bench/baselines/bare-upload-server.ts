// Baseline for bench:upload: the least a Node server can do with an upload and still keep it, streaming
// the body to disk and fsyncing before it answers. The API fsyncs too (an answered upload survives a power
// cut); without it here the baseline would only measure the page cache and the ratio the disk's mood.
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const dir = process.env.BARE_DIR ?? '/tmp';
let n = 0;
http
  .createServer((req, res) => {
    pipeline(req, createWriteStream(path.join(dir, `bare-${process.pid}-${n++}.bin`), { flush: true }))
      .then(() => res.writeHead(201).end('{}'))
      .catch(() => res.writeHead(500).end());
  })
  .listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
