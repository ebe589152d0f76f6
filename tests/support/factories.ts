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

/** Registers a new studio; the returned session is its first PRODUCER. */
export async function givenStudio(h: Harness, name = `Studio ${randomBytes(3).toString('hex')}`): Promise<Session> {
  const res = await h.http.post('/auth/register').send({ studioName: name, name: 'Owner', email: uniqueEmail('owner'), password: PASSWORD });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return session(res.body, PASSWORD);
}

/** Adds a member with the given role to the producer's studio and logs them in. */
export async function givenMember(h: Harness, producer: Session, role: 'ARTIST' | 'DIRECTOR' | 'PRODUCER'): Promise<Session> {
  const email = uniqueEmail(role.toLowerCase());
  const created = await h.http.post('/users').set(producer.auth).send({ email, name: `${role} person`, role, password: PASSWORD });
  if (created.status !== 201) throw new Error(`add member failed: ${created.status} ${JSON.stringify(created.body)}`);
  const res = await h.http.post('/auth/login').send({ email, password: PASSWORD });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return session(res.body, PASSWORD);
}
