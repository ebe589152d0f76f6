// Small arrange-helpers that act through the public HTTP surface.
import { randomBytes } from 'node:crypto';
import type { Harness } from './harness';

export interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; studioId: string; email: string; role: string; name: string };
  password: string;
  auth: { Authorization: string };
}

export const uniqueEmail = (tag = 'user') => `${tag}.${randomBytes(4).toString('hex')}@studio.test`;
export const PASSWORD = 'correct horse battery';

function session(body: { accessToken: string; refreshToken: string; user: Session['user'] }, password: string): Session {
  return { ...body, password, auth: { Authorization: `Bearer ${body.accessToken}` } };
}

/**
 * Registers a new studio the way a person does: the form, then the link mailed to the address, whose page
 * asks for the password (chosen there for a new account; an existing account's own). The returned session
 * is its first PRODUCER. With an email of an existing account, the studio joins it.
 */
export async function givenStudio(h: Harness, name = `Studio ${randomBytes(3).toString('hex')}`, email = uniqueEmail('owner'), password = PASSWORD): Promise<Session> {
  const res = await h.http.post('/auth/register').send({ studioName: name, name: 'Owner', email });
  if (res.status !== 202) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  const token = h.mailbox.tokenOf(await h.mailbox.next(email), 'verify-email');
  const verified = await h.http.post('/auth/verify-email').send({ token, password });
  if (verified.status !== 201) throw new Error(`verify-email failed: ${verified.status} ${JSON.stringify(verified.body)}`);
  return session(verified.body, password);
}

/** Invites an address to the producer's studio with a role; resolves with the token of the mailed link. */
export async function invite(h: Harness, producer: Session, email: string, role: 'ARTIST' | 'DIRECTOR' | 'PRODUCER'): Promise<string> {
  const created = await h.http.post('/invitations').set(producer.auth).send({ email, role });
  if (created.status !== 201) throw new Error(`invite failed: ${created.status} ${JSON.stringify(created.body)}`);
  return h.mailbox.tokenOf(await h.mailbox.next(email), 'invitations');
}

/** Adds a new person with the given role to the producer's studio (invitation, mail, acceptance) and returns their session. */
export async function givenMember(h: Harness, producer: Session, role: 'ARTIST' | 'DIRECTOR' | 'PRODUCER', email = uniqueEmail(role.toLowerCase())): Promise<Session> {
  const token = await invite(h, producer, email, role);
  const res = await h.http.post('/invitations/accept').send({ token, name: `${role} person`, password: PASSWORD });
  if (res.status !== 201) throw new Error(`accept failed: ${res.status} ${JSON.stringify(res.body)}`);
  return session(res.body, PASSWORD);
}
