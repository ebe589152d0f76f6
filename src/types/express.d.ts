// Request fields the middlewares add.
import 'express-serve-static-core';

declare module 'express-serve-static-core' {
  interface Request {
    correlationId?: string;
    user?: {
      id: string;
      studioId: string;
      role: 'ARTIST' | 'DIRECTOR' | 'PRODUCER';
      /** Set when the credential was an API token. */
      tokenId?: string;
      sessionVersion?: number;
      credentialExpiresAt?: number;
      scopes?: readonly ('assets:read' | 'assets:write' | 'reviews:write' | 'renders:read' | 'renders:write' | 'events:read' | 'production:read' | 'production:write' | 'admin')[];
    };
  }
}
