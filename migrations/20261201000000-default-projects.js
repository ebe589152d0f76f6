// Issue 18: every studio gets a default project and its existing assets move into it. Written against the
// raw driver (a migration is a snapshot of the data's shape at the time, not of today's models).
// Idempotent and resumable without transactions (FerretDB and MongoDB 7 only promise single-document
// writes): the project is an upsert on the unique {studioId, code}; assets move in batches with a filter
// that only matches those not moved yet; a marker records the last studio finished, so a crash resumes
// after it and a re-run of a finished studio finds nothing to move.
const NAME = '20261201000000-default-projects';
const BATCH = 500;
const DEFAULT_CODE = 'DEFAULT';

async function ensureDefaultProject(projects, studioId) {
  const now = new Date();
  const filter = { studioId, code: DEFAULT_CODE };
  const insert = {
    studioId,
    code: DEFAULT_CODE,
    codeLower: DEFAULT_CODE.toLowerCase(),
    name: 'Default project',
    nameLower: 'default project',
    isDefault: true,
    fps: { num: 24, den: 1 },
    resolution: { width: 1920, height: 1080 },
    handles: 0,
    status: 'ACTIVE',
    members: [],
    createdBy: null,
    revision: 1,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await projects.updateOne(filter, { $setOnInsert: insert }, { upsert: true });
  } catch (err) {
    // Two starts at once: the other one's insert won the unique index; read it. (FerretDB v1 reports a
    // duplicate from an upsert as code 1 with PostgreSQL's SQLSTATE 23505.)
    const duplicate = err.code === 11000 || (err.code === 1 && /SQLSTATE 23505|UNIQUE constraint failed/.test(String(err.message)));
    if (!duplicate) throw err;
  }
  return projects.findOne(filter);
}

module.exports = {
  async up(db) {
    const progress = db.collection('migration_progress');
    const studios = db.collection('studios');
    const projects = db.collection('projects');
    const assets = db.collection('assets');
    await projects.createIndex({ studioId: 1, codeLower: 1 }, { unique: true });
    const marker = await progress.findOne({ _id: NAME });
    let after = marker ? marker.lastStudioId : null;
    for (;;) {
      const batch = await studios.find(after ? { _id: { $gt: after } } : {}, { projection: { _id: 1 } }).sort({ _id: 1 }).limit(BATCH).toArray();
      if (batch.length === 0) break;
      for (const studio of batch) {
        const project = await ensureDefaultProject(projects, studio._id);
        for (;;) {
          const ids = await assets.find({ studioId: studio._id, projectId: null }, { projection: { _id: 1 } }).limit(BATCH).toArray();
          if (ids.length === 0) break;
          await assets.updateMany({ _id: { $in: ids.map((d) => d._id) }, projectId: null }, { $set: { projectId: project._id, shotId: null } });
        }
        await progress.updateOne({ _id: NAME }, { $set: { lastStudioId: studio._id, at: new Date() } }, { upsert: true });
      }
      after = batch[batch.length - 1]._id;
    }
  },

  // Assets keep their projectId (harmless to an older release, which ignores the field); the default
  // projects stay too, since assets may have been created in them since.
  async down(db) {
    await db.collection('migration_progress').deleteOne({ _id: NAME });
  },
};
