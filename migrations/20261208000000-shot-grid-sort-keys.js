// Issue 28: the shot grid sorts by a shot's latest version and its next due date, kept on each shot (latestVersion,
// dueSort) so that each order is an index scan. Shots stored before have neither: they get them from their backing
// asset's latestVersion and from the earliest due date of their open tasks (a task whose status is not one of
// the studio's isDone statuses; 9999-12-31 when none has one). Written against the raw driver, like every
// migration. Idempotent and resumable without transactions: a batch only matches shots still lacking a key, so a
// re-run (or one after a crash) finishes what is left and finds nothing once done.
const BATCH = 500;
const NO_DUE_DATE = new Date('9999-12-31T00:00:00.000Z');

module.exports = {
  async up(db) {
    const shots = db.collection('shots');
    const assets = db.collection('assets');
    const tasks = db.collection('tasks');
    const statuses = db.collection('task_statuses');
    const doneOf = new Map();
    const done = async (studioId) => {
      const key = String(studioId);
      if (!doneOf.has(key)) doneOf.set(key, new Set((await statuses.find({ studioId, isDone: true }, { projection: { code: 1 } }).toArray()).map((s) => s.code)));
      return doneOf.get(key);
    };
    let after = null;
    for (;;) {
      const lacking = { $or: [{ latestVersion: { $exists: false } }, { dueSort: { $exists: false } }] };
      const batch = await shots.find(after ? { $and: [{ _id: { $gt: after } }, lacking] } : lacking, { projection: { _id: 1, studioId: 1, assetId: 1 } }).sort({ _id: 1 }).limit(BATCH).toArray();
      if (batch.length === 0) break;
      const assetIds = batch.map((s) => s.assetId).filter(Boolean);
      const latest = new Map((await assets.find({ _id: { $in: assetIds } }, { projection: { latestVersion: 1 } }).toArray()).map((a) => [String(a._id), a.latestVersion || 0]));
      const due = new Map();
      for (const t of await tasks.find({ entityId: { $in: batch.map((s) => s._id) } }, { projection: { entityId: 1, studioId: 1, status: 1, dueDate: 1 } }).toArray()) {
        if (!t.dueDate || (await done(t.studioId)).has(t.status)) continue;
        const key = String(t.entityId);
        if (!due.has(key) || t.dueDate < due.get(key)) due.set(key, t.dueDate);
      }
      await shots.bulkWrite(
        batch.map((s) => ({ updateOne: { filter: { _id: s._id }, update: { $set: { latestVersion: s.assetId ? latest.get(String(s.assetId)) || 0 : 0, dueSort: due.get(String(s._id)) || NO_DUE_DATE } } } })),
        { ordered: false },
      );
      after = batch[batch.length - 1]._id;
    }
  },

  // The keys are harmless to an older release, which ignores them.
  async down() {},
};
