// A small show set up through the API for the specs that then walk it in the browser as people do: a
// studio (its owner a PRODUCER) with an ARTIST, a project with a sequence of three shots, tasks on a shot
// and on an asset, an asset with two ready versions and a note, and one render job.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { base, joinViaApi, studioViaApi } from './support';
import { apiCall, uploadAndWait } from './review-support';
import { makeBlenderScene } from '../../tests/support/blenderScene';

export const PASSWORD = 'a long e2e password';

export interface Show {
  producer: { email: string; name: string; token: string };
  artist: { email: string; name: string; token: string };
  project: { id: string; name: string; code: string };
  /** Shot code → { id, assetId } (the asset that carries the shot's versions). */
  shots: Record<string, { id: string; assetId: string }>;
  rocket: { id: string; name: string };
  /** The artist's task on SH010 (no version yet) and the producer's on the Rocket (which has two). */
  tasks: { shot: { id: string; name: string }; rocket: { id: string; name: string }; emptyShot: { id: string; name: string } };
  renderJobId: string;
  /** A folder for files the specs make (a small PNG to upload). */
  dir: string;
}

/** A PNG of one colour, made with ffmpeg. */
export function png(dir: string, name: string, color: string): string {
  const file = path.join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `color=c=${color}:size=160x90`, '-frames:v', '1', '-y', file]);
  return file;
}

export async function seedShow(label: string): Promise<Show> {
  const tag = randomBytes(3).toString('hex');
  const dir = mkdtempSync(path.join(tmpdir(), `studio-e2e-${label}-`));
  const producer = { email: `pat.${tag}@studio.test`, name: 'Owner', token: '' };
  const artist = { email: `ari.${tag}@studio.test`, name: 'Ari Artist', token: '' };
  producer.token = (await studioViaApi(`${label} ${tag}`, producer.email, PASSWORD)).accessToken;
  artist.token = await joinViaApi(producer.token, artist, 'ARTIST', PASSWORD);
  const artistId = (await apiCall<{ id: string }>(artist.token, 'GET', '/auth/me')).id;
  const producerId = (await apiCall<{ id: string }>(producer.token, 'GET', '/auth/me')).id;

  const code = `MH${tag}`.toUpperCase();
  const project = await apiCall<{ id: string; name: string; code: string }>(producer.token, 'POST', '/projects', { name: 'Moon Heist', code, fps: { num: 24, den: 1 } });
  const seq = await apiCall<{ id: string }>(producer.token, 'POST', `/projects/${project.id}/sequences`, { code: 'SQ010', name: 'Opening' });
  const shots: Show['shots'] = {};
  for (const [i, shot] of ['SH010', 'SH020', 'SH030'].entries()) {
    const s = await apiCall<{ id: string; assetId: string }>(producer.token, 'POST', `/sequences/${seq.id}/shots`, { code: shot, frameIn: 1001, frameOut: 1048 + i * 24, description: `Opening ${shot.toLowerCase()}` });
    shots[shot] = { id: s.id, assetId: s.assetId };
  }
  const types = (await apiCall<{ data: Array<{ id: string; name: string }> }>(producer.token, 'GET', '/task-types')).data;
  const typeId = (name: string) => types.find((t) => t.name === name)!.id;
  const shotTask = await apiCall<{ id: string; name: string }>(producer.token, 'POST', '/tasks', { entityType: 'SHOT', entityId: shots.SH010!.id, taskTypeId: typeId('Animation'), assignees: [artistId], dueDate: '2026-12-24' });
  const emptyShot = await apiCall<{ id: string; name: string }>(producer.token, 'POST', '/tasks', { entityType: 'SHOT', entityId: shots.SH030!.id, taskTypeId: typeId('Lighting'), assignees: [producerId] });

  const rocket = await apiCall<{ id: string; name: string }>(producer.token, 'POST', '/assets', { name: 'Rocket', type: 'PROP', projectId: project.id, tags: ['hero'] });
  const rocketTask = await apiCall<{ id: string; name: string }>(producer.token, 'POST', '/tasks', { entityType: 'ASSET', entityId: rocket.id, taskTypeId: typeId('Modeling'), assignees: [producerId] });
  await uploadAndWait(artist.token, rocket.id, readFileSync(png(dir, 'rocket_v1.png', 'red')), 'rocket_v1.png', 'image/png');
  await uploadAndWait(artist.token, rocket.id, readFileSync(png(dir, 'rocket_v2.png', 'blue')), 'rocket_v2.png', 'image/png');
  await apiCall(artist.token, 'POST', `/assets/${rocket.id}/comments`, { body: 'Fins are too small', version: 2, frame: 0 });

  // One render job, so the renders list has a row to open (its outcome does not matter to these specs).
  const scene = await apiCall<{ id: string }>(producer.token, 'POST', '/assets', { name: 'Layout scene', type: 'SET', projectId: project.id });
  const blend = await makeBlenderScene(path.join(dir, 'layout.blend'), { frames: 2, size: 32, samples: 1 });
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(readFileSync(blend))]), 'layout.blend');
  const uploaded = await fetch(`${base()}/assets/${scene.id}/versions`, { method: 'POST', headers: { Authorization: `Bearer ${producer.token}` }, body: form });
  if (uploaded.status !== 201) throw new Error(`uploading the .blend: ${uploaded.status} ${await uploaded.text()}`);
  const job = await apiCall<{ id: string }>(producer.token, 'POST', `/assets/${scene.id}/render`, { version: 1, frames: { start: 1, end: 2 }, chunkSize: 2 });

  return {
    producer, artist, project, shots, rocket, dir, renderJobId: job.id,
    tasks: { shot: shotTask, rocket: rocketTask, emptyShot },
  };
}
