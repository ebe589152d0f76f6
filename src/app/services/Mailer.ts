// Outgoing mail as the services see it, and the messages they send. Links carry their single-use token in
// the fragment (#token=…), which browsers never send to a server, so it stays out of access logs and
// Referer headers; the web app's page reads it and posts it to the API.
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Resolves once the SMTP server accepted the message; rejects when it did not. */
  send(message: MailMessage): Promise<void>;
}

export interface MailLinks {
  /** The origin people open links at, e.g. https://studio.example.com */
  publicUrl: string;
}

const withoutTrailingSlashes = (url: string) => {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
};
const link = (links: MailLinks, page: string, token: string) => `${withoutTrailingSlashes(links.publicUrl)}/app/${page}#token=${token}`;
const hours = (expiresAt: Date, now: Date) => Math.max(1, Math.round((expiresAt.getTime() - now.getTime()) / 3_600_000));

export const mails = {
  verifyRegistration(links: MailLinks, p: { to: string; name: string; studioName: string; token: string; expiresAt: Date; now: Date }): MailMessage {
    return {
      to: p.to,
      subject: `Confirm your address to create ${p.studioName} on Studio API`,
      text: [
        `Hello ${p.name},`,
        '',
        `Follow this link to confirm your address and create the studio "${p.studioName}":`,
        link(links, 'verify-email', p.token),
        '',
        `The link works once and expires in ${hours(p.expiresAt, p.now)} hours. If you did not ask for this, ignore this mail: nothing is created.`,
      ].join('\n'),
    };
  },

  /** Sent instead of the above when the address already has an account: the same request, told apart only in the mailbox. */
  registrationForExistingAccount(links: MailLinks, p: { to: string; studioName: string; token: string; expiresAt: Date; now: Date }): MailMessage {
    return {
      to: p.to,
      subject: `Confirm your address to create ${p.studioName} on Studio API`,
      text: [
        'Hello,',
        '',
        `Someone asked to create the studio "${p.studioName}" with this address, which already has a Studio API account.`,
        'If it was you, follow this link: the studio is added to your account, and you keep signing in with your existing password',
        '(the password typed in the registration form is not used):',
        link(links, 'verify-email', p.token),
        '',
        `The link works once and expires in ${hours(p.expiresAt, p.now)} hours. If it was not you, ignore this mail: nothing changes.`,
      ].join('\n'),
    };
  },

  invitation(links: MailLinks, p: { to: string; studioName: string; inviterName: string; role: string; token: string; expiresAt: Date; now: Date }): MailMessage {
    return {
      to: p.to,
      subject: `${p.inviterName} invited you to ${p.studioName} on Studio API`,
      text: [
        'Hello,',
        '',
        `${p.inviterName} invited you to join the studio "${p.studioName}" as ${p.role}.`,
        'Follow this link to accept: with an existing Studio API account you sign in with its password; otherwise you choose a name and a password.',
        link(links, 'invitations', p.token),
        '',
        `The link works once and expires in ${hours(p.expiresAt, p.now)} hours. If you do not know this studio, ignore this mail.`,
      ].join('\n'),
    };
  },
};
