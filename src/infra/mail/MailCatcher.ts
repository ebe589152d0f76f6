// A real SMTP server on loopback that keeps what it receives: the development default when no SMTP_URL
// is set (messages under EMBEDDED_DATA_DIR/mail, links in the log) and the test suite's inbox. Mail goes
// to it over SMTP through the same SmtpMailer as in production.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

export interface CaughtMail {
  to: string[];
  subject: string;
  text: string;
  /** Every http(s) link of the text body, in order. */
  links: string[];
  receivedAt: string;
}

export interface MailCatcher {
  /** smtp://127.0.0.1:PORT, for SMTP_URL. */
  url: string;
  close(): Promise<void>;
}

// Linear: one character class, no nesting.
const LINK = /https?:\/\/[^\s<>"]+/g;
/** One message at most (the api sends short text mails); larger ones are refused by the server. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

export async function startMailCatcher(onMail: (mail: CaughtMail, raw: Buffer) => void | Promise<void>, options: { refuse?: (address: string) => boolean } = {}): Promise<MailCatcher> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    // A mailbox that does not exist, as a real server would answer it (tests use this).
    onRcptTo(address, _session, callback) {
      if (options.refuse?.(address.address)) return callback(Object.assign(new Error('No such user here'), { responseCode: 550 }));
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then(async (parsed) => {
            const to = (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((a) => a.value.map((v) => v.address ?? '')).filter(Boolean);
            const text = parsed.text ?? '';
            await onMail({ to, subject: parsed.subject ?? '', text, links: text.match(LINK) ?? [], receivedAt: new Date().toISOString() }, raw);
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The development inbox: each message as .eml plus a .json summary (to, subject, text, links) in dir. */
export function startDevMailbox(dir: string, log: (mail: CaughtMail, file: string) => void): Promise<MailCatcher> {
  mkdirSync(dir, { recursive: true });
  return startMailCatcher((mail, raw) => {
    const base = path.join(dir, `${mail.receivedAt.replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`);
    writeFileSync(`${base}.eml`, raw);
    writeFileSync(`${base}.json`, `${JSON.stringify(mail, null, 2)}\n`);
    log(mail, `${base}.eml`);
  });
}
