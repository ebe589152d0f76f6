// Registers a studio on a running development API the way a person does, for scripts (the fuzz, the
// benchmarks) and newcomers: POST /auth/register, then the link from the development inbox (the mail
// catcher the api starts when SMTP_URL is unset, under EMBEDDED_DATA_DIR/mail), then POST /auth/verify-email
// with the password, which is chosen there (the link's page), not at registration.
// Usage: tsx scripts/dev-register.ts <api-url> <mail-dir> <studio-name> <email> <password>
// Prints the AuthResult (accessToken, refreshToken, user) as JSON.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface CaughtMail {
  to: string[];
  links: string[];
}

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json().catch(() => null) };
}

/** The token of the newest verify-email link mailed to `email`, waiting up to timeoutMs for it to arrive. */
export async function linkTokenFromInbox(mailDir: string, email: string, page: 'verify-email' | 'invitations', since: number, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const files = (() => {
      try {
        return readdirSync(mailDir).filter((f) => f.endsWith('.json')).sort().reverse();
      } catch {
        return [];
      }
    })();
    for (const file of files) {
      const full = path.join(mailDir, file);
      const mail = JSON.parse(readFileSync(full, 'utf8')) as CaughtMail & { receivedAt: string };
      if (Date.parse(mail.receivedAt) < since - 1000 || !mail.to.some((t) => t.toLowerCase() === email.toLowerCase())) continue;
      const link = mail.links.find((l) => new URL(l).pathname === `/app/${page}`);
      const token = link ? new URLSearchParams(new URL(link).hash.slice(1)).get('token') : null;
      if (token) return token;
    }
    if (Date.now() > deadline) throw new Error(`no /app/${page} mail to ${email} in ${mailDir} within ${timeoutMs} ms (is SMTP_URL unset, so the api uses its development inbox?)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function registerThroughInbox(api: string, mailDir: string, input: { studioName: string; name: string; email: string; password: string }): Promise<{ accessToken: string; refreshToken: string; user: { id: string; studioId: string } }> {
  const since = Date.now();
  const { password, ...form } = input;
  const started = await post(`${api}/auth/register`, form);
  if (started.status !== 202) throw new Error(`POST /auth/register: ${started.status} ${JSON.stringify(started.json)}`);
  const token = await linkTokenFromInbox(mailDir, input.email, 'verify-email', since);
  const verified = await post(`${api}/auth/verify-email`, { token, password });
  if (verified.status !== 201) throw new Error(`POST /auth/verify-email: ${verified.status} ${JSON.stringify(verified.json)}`);
  return verified.json as { accessToken: string; refreshToken: string; user: { id: string; studioId: string } };
}

if (require.main === module) {
  const [api, mailDir, studioName, email, password] = process.argv.slice(2);
  if (!api || !mailDir || !studioName || !email || !password) {
    process.stderr.write('usage: tsx scripts/dev-register.ts <api-url> <mail-dir> <studio-name> <email> <password>\n');
    process.exit(2);
  }
  registerThroughInbox(api, mailDir, { studioName, name: studioName, email, password })
    .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
    .catch((err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    });
}
