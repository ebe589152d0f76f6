// Who is acting: taken from a verified access token, never from the request body.
import type { Role } from '../repositories/models/User';

export type { Role };

export interface Actor {
  id: string;
  studioId: string;
  role: Role;
}
