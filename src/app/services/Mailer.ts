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
const page = (links: MailLinks, path: string) => `${withoutTrailingSlashes(links.publicUrl)}/app/${path}`;
const utc = (at: Date) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const hours = (expiresAt: Date, now: Date) => Math.max(1, Math.round((expiresAt.getTime() - now.getTime()) / 3_600_000));

export const mails = {
  /**
   * A registration link, worded by what following it does to the address's account (the same request, told
   * apart only in the mailbox). Anyone may type anyone's address into the form: the mail says so, greets no
   * name a stranger may have typed, and leaves the password to the link's page. An unconfirmed account
   * (migrated from before addresses were proven) had its password set by whoever made it, who may not be
   * the mailbox's owner: following the link sets a new one and ends the account's sessions.
   */
  registration(links: MailLinks, account: 'new' | 'existing' | 'unconfirmed', p: { to: string; studioName: string; token: string; expiresAt: Date; now: Date }): MailMessage {
    const what = {
      new: [
        `Someone, probably you, asked to create the studio "${p.studioName}" on Studio API with this address.`,
        'Follow this link to confirm it: on that page you choose your password (and may change the studio\'s name), then the studio is created.',
      ],
      existing: [
        `Someone asked to create the studio "${p.studioName}" with this address, which already has a Studio API account.`,
        'If it was you, follow this link and sign in there with your account\'s password: the studio is added to your account.',
      ],
      unconfirmed: [
        `Someone asked to create the studio "${p.studioName}" with this address. It has a Studio API account from before addresses were confirmed.`,
        'If it was you, follow this link and choose a new password there: the old password stops working, every session and API token',
        'of the account ends, and the studio is added to your account. If you never made that account, someone else did with your',
        'address: following the link and choosing a password makes it yours.',
      ],
    }[account];
    const ignore = account === 'new' ? 'If you did not ask for this, ignore this mail: nothing is created.' : 'If it was not you, ignore this mail: nothing changes.';
    return {
      to: p.to,
      subject: `Confirm your address to create ${p.studioName} on Studio API`,
      text: ['Hello,', '', ...what, link(links, 'verify-email', p.token), '', `The link works once and expires in ${hours(p.expiresAt, p.now)} hours. ${ignore}`].join('\n'),
    };
  },

  /**
   * "Forgot password": a link to choose a new password, or (the address has no account) a note saying so
   * and no link. Both are mailed, so the answer to the request tells nothing about which it was.
   */
  passwordReset(links: MailLinks, p: { to: string; token: string | null; expiresAt: Date; now: Date }): MailMessage {
    if (p.token === null) {
      return {
        to: p.to,
        subject: 'Studio API password reset',
        text: [
          'Hello,',
          '',
          'Someone, probably you, asked to reset the password of the Studio API account of this address, but this address has no account.',
          'If you sign in with another address, ask for the reset with that one. To create a studio with this address:',
          page(links, 'create-studio'),
          '',
          'If you did not ask for this, ignore this mail: nothing changes.',
        ].join('\n'),
      };
    }
    const minutes = Math.max(1, Math.round((p.expiresAt.getTime() - p.now.getTime()) / 60_000));
    return {
      to: p.to,
      subject: 'Reset your Studio API password',
      text: [
        'Hello,',
        '',
        'Someone, probably you, asked to reset the password of the Studio API account of this address.',
        'Follow this link to choose a new one: once you save it, you are signed out everywhere and your personal API tokens are revoked.',
        link(links, 'reset-password', p.token),
        '',
        `The link works once and expires in ${minutes} minutes. If you did not ask for this, ignore this mail: your password stays as it is.`,
      ].join('\n'),
    };
  },

  /** A member's digest of unread notifications (their own setting), with the way to the list and to stop the mails. */
  digest(links: MailLinks, p: { to: string; name: string; studioName: string; frequency: 'HOURLY' | 'DAILY'; texts: string[]; total: number }): MailMessage {
    const more = p.total - p.texts.length;
    return {
      to: p.to,
      subject: `${p.total} unread notification${p.total === 1 ? '' : 's'} in ${p.studioName}`,
      text: [
        `Hello ${p.name},`,
        '',
        `Since your last ${p.frequency === 'HOURLY' ? 'hourly' : 'daily'} digest, in the studio "${p.studioName}":`,
        '',
        ...p.texts.map((t) => `- ${t}`),
        ...(more > 0 ? [`… and ${more} more.`] : []),
        '',
        `Read them: ${page(links, 'notifications')}`,
        'You get this mail because you asked for a digest; turn it off on the same page.',
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

  /**
   * The notice of a new API token: to the person it acts as, or (a bot's) to each of the studio's PRODUCERs.
   * A token outlives the session that made it, so its owner must hear of every one.
   */
  tokenCreated(
    links: MailLinks,
    p: { to: string; name: string; studioName: string; tokenName: string; scopes: Array<{ scope: string; description: string }>; expiresAt: Date; now: Date; from: string | null; bot?: { name: string; createdBy: string } },
  ): MailMessage {
    const when = `on ${utc(p.now)}${p.from ? ` from the address ${p.from}` : ''}`;
    const what = [
      `  Name: ${p.tokenName}`,
      `  Expires: ${utc(p.expiresAt)}`,
      '  It may (within its member\'s role):',
      ...p.scopes.map((s) => `  - ${s.description} (${s.scope})`),
    ];
    const tokens = page(links, 'tokens');
    if (p.bot) {
      return {
        to: p.to,
        subject: `New API token "${p.tokenName}" for the bot ${p.bot.name} in ${p.studioName}`,
        text: [
          `Hello ${p.name},`,
          '',
          `${p.bot.createdBy} created an API token for the bot "${p.bot.name}" in the studio "${p.studioName}" ${when}:`,
          ...what,
          '',
          'Every producer of the studio gets this notice. If nobody expected this token, revoke it on the API tokens page',
          `and ask ${p.bot.createdBy} to change their password (creating a token needs it):`,
          tokens,
        ].join('\n'),
      };
    }
    return {
      to: p.to,
      subject: `New API token "${p.tokenName}" on your Studio API account`,
      text: [
        `Hello ${p.name},`,
        '',
        `An API token was created on your account in the studio "${p.studioName}" ${when}:`,
        ...what,
        '',
        'If it was you, there is nothing to do.',
        'If it was not you, someone knows your password: change it now (that also revokes every personal API token of',
        'yours, in every studio, and ends every session), then look at your tokens:',
        tokens,
      ].join('\n'),
    };
  },
};
