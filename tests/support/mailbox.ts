// The test suite's inbox: a real SMTP server on loopback (the same catcher as the development inbox) that
// keeps messages in memory, so a test follows a mailed link the way a person would.
import { startMailCatcher, type CaughtMail } from '../../src/infra/mail/MailCatcher';

export interface Mailbox {
  url: string;
  /** Every message received so far, oldest first. */
  messages: CaughtMail[];
  /** The next message to `to` not yet taken by a previous call (case-insensitive), waiting up to timeoutMs. */
  next(to: string, timeoutMs?: number): Promise<CaughtMail>;
  /** Addresses the server answers 550 "no such user" for. */
  refused: Set<string>;
  /** The token in the fragment of the message's link to /app/<page>. */
  tokenOf(mail: CaughtMail, page: 'verify-email' | 'invitations' | 'reset-password'): string;
  close(): Promise<void>;
}

export async function startMailbox(): Promise<Mailbox> {
  const messages: CaughtMail[] = [];
  const taken = new Set<CaughtMail>();
  const waiters = new Set<() => void>();
  const refused = new Set<string>();
  const catcher = await startMailCatcher(
    (mail) => {
      messages.push(mail);
      for (const wake of waiters) wake();
    },
    { refuse: (address) => refused.has(address.toLowerCase()) },
  );
  const find = (to: string) => messages.find((m) => !taken.has(m) && m.to.some((a) => a.toLowerCase() === to.toLowerCase()));
  return {
    url: catcher.url,
    messages,
    refused,
    async next(to, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mail = find(to);
        if (mail) {
          taken.add(mail);
          return mail;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no mail to ${to} within ${timeoutMs} ms (received: ${messages.map((m) => `${m.to.join(',')}: ${m.subject}`).join(' | ') || 'none'})`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
    tokenOf(mail, page) {
      const link = mail.links.find((l) => new URL(l).pathname === `/app/${page}`);
      if (!link) throw new Error(`mail "${mail.subject}" has no /app/${page} link: ${mail.links.join(' ')}`);
      const token = new URLSearchParams(new URL(link).hash.slice(1)).get('token');
      if (!token) throw new Error(`link ${link} carries no token`);
      return token;
    },
    close: () => catcher.close(),
  };
}
