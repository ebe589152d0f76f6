// Issue 21: storage usage counters for the data that predates them. Each asset's `storage` ({bytes, versions})
// is the sum of its versions' sizes; each studio's document in `storageusages` (_id: the studio's id) holds
// the sum over its assets, and keeps a quota the operator may already have set (else: follow
// STORAGE_QUOTA_BYTES). Written against the raw driver.
// Every value is recomputed and $set from the versions, so a re-run (or a run resumed after a crash) converges
// on the same figures. Run it as the release step before the new api serves uploads (README: npm run migrate):
// a version an older instance commits while it runs is not counted until the counts are made again.
const NAME = '20261202000000-storage-usage';
const BATCH = 500;

/** Bytes and count of one asset's versions, read as a stream of sizes (never all versions in memory). */
async function sumVersions(versions, studioId, assetId) {
  let bytes = 0;
  let count = 0;
  const cursor = versions.find({ studioId, assetId }, { projection: { 'file.size': 1 } });
  for await (const v of cursor) {
    bytes += (v.file && v.file.size) || 0;
    count += 1;
  }
  return { bytes, versions: count };
}

async function countStudio(db, studioId) {
  const assets = db.collection('assets');
  const versions = db.collection('assetversions');
  const total = { bytes: 0, versions: 0 };
  let after = null;
  for (;;) {
    const batch = await assets.find(after ? { studioId, _id: { $gt: after } } : { studioId }, { projection: { _id: 1 } }).sort({ _id: 1 }).limit(BATCH).toArray();
    if (batch.length === 0) break;
    for (const asset of batch) {
      const storage = await sumVersions(versions, studioId, asset._id);
      await assets.updateOne({ _id: asset._id }, { $set: { storage } });
      total.bytes += storage.bytes;
      total.versions += storage.versions;
    }
    after = batch[batch.length - 1]._id;
  }
  await db.collection('storageusages').updateOne(
    { _id: studioId },
    { $set: { bytes: total.bytes, versions: total.versions, updatedAt: new Date() }, $setOnInsert: { quota: { override: false, bytes: null } } },
    { upsert: true },
  );
}

module.exports = {
  async up(db) {
    const progress = db.collection('migration_progress');
    const studios = db.collection('studios');
    const marker = await progress.findOne({ _id: NAME });
    let after = marker ? marker.lastStudioId : null;
    for (;;) {
      const batch = await studios.find(after ? { _id: { $gt: after } } : {}, { projection: { _id: 1 } }).sort({ _id: 1 }).limit(BATCH).toArray();
      if (batch.length === 0) break;
      for (const studio of batch) {
        await countStudio(db, studio._id);
        await progress.updateOne({ _id: NAME }, { $set: { lastStudioId: studio._id, at: new Date() } }, { upsert: true });
      }
      after = batch[batch.length - 1]._id;
    }
  },

  // The counters are harmless to an older release, which ignores them; only the marker goes.
  async down(db) {
    await db.collection('migration_progress').deleteOne({ _id: NAME });
  },
};
