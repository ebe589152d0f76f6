// Migrations with migrate-mongo: the default-project migration moves every studio's assets into a default
// project, records itself in the changelog, converges when re-run and resumes after a crash half-way.
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { migrationStatus, runMigrations, MIGRATIONS_DIR } from '../src/infra/database/migrations';

const DEFAULT_PROJECTS = '20261201000000-default-projects.js';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const defaultProjects = require(`${MIGRATIONS_DIR}/${DEFAULT_PROJECTS}`) as { up(db: unknown): Promise<void> };

describe('migrations (npm run migrate)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  /** Two studios as an older release left them: assets with no project. */
  async function legacyStudios(assetsEach: number) {
    const db = h.container.mongo.db!;
    const studios = [new Types.ObjectId(), new Types.ObjectId()].sort((x, y) => String(x).localeCompare(String(y)));
    await db.collection('studios').insertMany(studios.map((_id, i) => ({ _id, name: `Legacy ${i}`, slug: `legacy-${String(_id)}`, settings: { autoRender: false } })));
    const user = new Types.ObjectId();
    await db.collection('assets').insertMany(
      studios.flatMap((studioId) =>
        Array.from({ length: assetsEach }, (_, i) => ({ studioId, name: `A${i}`, nameLower: `a${i}`, type: 'PROP', description: '', tags: [], status: 'IN_PROGRESS', currentVersion: null, latestVersion: 0, createdBy: user, updatedBy: user, archivedAt: null, revision: 1 })),
      ),
    );
    return studios;
  }

  it('creates one default project per studio, moves its assets into it, and records itself; a re-run changes nothing', async () => {
    const db = h.container.mongo.db!;
    const studios = await legacyStudios(7);
    expect((await migrationStatus(h.container.mongo)).find((m) => m.fileName === DEFAULT_PROJECTS)?.appliedAt).toBe('PENDING');

    expect(await runMigrations(h.container.mongo, h.container.locks)).toContain(DEFAULT_PROJECTS);
    for (const studioId of studios) {
      const projects = await db.collection('projects').find({ studioId }).toArray();
      expect(projects.map((p) => [p.code, p.isDefault, p.fps])).toEqual([['DEFAULT', true, { num: 24, den: 1 }]]);
      const assets = await db.collection('assets').find({ studioId }).toArray();
      expect(assets).toHaveLength(7);
      expect(assets.every((a) => String(a.projectId) === String(projects[0]!._id) && a.shotId === null)).toBe(true);
    }
    expect((await migrationStatus(h.container.mongo)).find((m) => m.fileName === DEFAULT_PROJECTS)?.appliedAt).not.toBe('PENDING');

    const before = await db.collection('projects').find({}).sort({ _id: 1 }).toArray();
    expect(await runMigrations(h.container.mongo, h.container.locks)).toEqual([]);
    expect(await db.collection('projects').find({}).sort({ _id: 1 }).toArray()).toEqual(before);
  });

  it('resumes after a crash half-way: a half-moved studio is finished, the default project is not duplicated', async () => {
    const db = h.container.mongo.db!;
    const [first, second] = await legacyStudios(5);
    // The state a crash leaves: the first studio's project exists and two of its assets moved; nothing else.
    await db.collection('projects').insertOne({ studioId: first, code: 'DEFAULT', codeLower: 'default', name: 'Default project', isDefault: true });
    const project = await db.collection('projects').findOne({ studioId: first });
    const two = await db.collection('assets').find({ studioId: first }).limit(2).toArray();
    await db.collection('assets').updateMany({ _id: { $in: two.map((a) => a._id) } }, { $set: { projectId: project!._id, shotId: null } });

    await defaultProjects.up(db);
    await defaultProjects.up(db);
    for (const studioId of [first!, second!]) {
      const projects = await db.collection('projects').find({ studioId }).toArray();
      expect(projects).toHaveLength(1);
      expect(await db.collection('assets').countDocuments({ studioId, projectId: projects[0]!._id })).toBe(5);
    }
  });
});
