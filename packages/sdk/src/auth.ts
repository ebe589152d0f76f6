// Credentials: an API token (sapi_…, never expires in the client's hands) or a session from email and
// password whose 15-minute access token is refreshed through POST /auth/refresh (refresh tokens rotate, so
// every new pair is handed to onSession for the caller to store).

export interface Session {
  accessToken: string;
  refreshToken: string;
}

export type Credentials = { token: string } | { session: Session; onSession?: (session: Session) => void | Promise<void> };

/** Seconds before expiry at which an access token is refreshed ahead of use (requests with streamed bodies cannot be replayed). */
const REFRESH_AHEAD_S = 60;

/** The `exp` claim of a JWT, unverified: only used to decide when to refresh. */
function expiryOf(jwt: string): number | undefined {
  const payload = jwt.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

export class Authenticator {
  private refreshing: Promise<void> | undefined;

  constructor(private credentials: Credentials | undefined, private readonly refreshSession: (refreshToken: string) => Promise<Session>) {}

  get kind(): 'token' | 'session' | 'none' {
    if (!this.credentials) return 'none';
    return 'token' in this.credentials ? 'token' : 'session';
  }

  get session(): Session | undefined {
    return this.credentials && 'session' in this.credentials ? this.credentials.session : undefined;
  }

  setCredentials(credentials: Credentials | undefined): void {
    this.credentials = credentials;
  }

  /** The bearer to send now, refreshing a session's access token first when it is about to expire. */
  async bearer(): Promise<string | undefined> {
    const c = this.credentials;
    if (!c) return undefined;
    if ('token' in c) return c.token;
    const exp = expiryOf(c.session.accessToken);
    if (exp !== undefined && exp - REFRESH_AHEAD_S <= Date.now() / 1000) await this.refresh();
    return (this.credentials as { session: Session }).session.accessToken;
  }

  /** Whether a 401 with this code is worth one refresh and a retry. */
  canRefreshAfter(code: string): boolean {
    return this.kind === 'session' && (code === 'TOKEN_EXPIRED' || code === 'TOKEN_INVALID');
  }

  /** Single flight: concurrent requests that all saw an expired token share one refresh (a second would replay a rotated token and revoke the family). */
  refresh(): Promise<void> {
    const c = this.credentials;
    if (!c || !('session' in c)) return Promise.resolve();
    this.refreshing ??= (async () => {
      try {
        const next = await this.refreshSession(c.session.refreshToken);
        this.credentials = { session: next, onSession: c.onSession };
        await c.onSession?.(next);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }
}
