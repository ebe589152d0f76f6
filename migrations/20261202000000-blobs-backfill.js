// Issue 21: content-addressed storage. Every object an existing version points at becomes a blob (one document
// per stored object), so the storage collector can reclaim it once no version references it and usage counts it.
// The first object per (studio, sha256) becomes the dedup target (address `sha256:<hex>`); later duplicates of the
// same bytes, stored before dedup existed, become private blobs (address `object:<key>`): they keep their own
// objects, are never handed to new uploads, and are collected like any other once unreferenced. A direct upload
// whose client-claimed sha256 the pipeline never verified is private too, so a claim can never poison dedup.
// Written against the raw driver. Idempotent and resumable without transactions: a blob is found by its unique
// {studioId, key} before it is inserted, and a marker records the last version done.
const NAME = '20261202000000-blobs-backfill';
const BATCH = 500;
// Pipeline states reached only after VALIDATING re-hashed the stored bytes against the recorded sha256.
const VERIFIED = ['PROCESSING_PREVIEW', 'RENDER_QUEUED', 'READY'];

const isDuplicate = (err) => err.code === 11000 || (err.code === 1 && /SQLSTATE 23505|UNIQUE constraint failed/.test(String(err.message)));

async function insertBlob(blobs, doc) {
  try {
    await blobs.insertOne(doc);
    return true;
  } catch (err) {
    if (!isDuplicate(err)) throw err;
    return false;
  }
}

module.exports = {
  async up(db) {
    const progress = db.collection('migration_progress');
    const versions = db.collection('assetversions');
    const blobs = db.collection('blobs');
    const sessions = db.collection('uploadsessions');
    const pipelines = db.collection('assetpipelines');
    await blobs.createIndex({ studioId: 1, address: 1 }, { unique: true });
    await blobs.createIndex({ studioId: 1, key: 1 }, { unique: true });
    const marker = await progress.findOne({ _id: NAME });
    let after = marker ? marker.lastVersionId : null;
    for (;;) {
      const batch = await versions.find(after ? { _id: { $gt: after } } : {}, { projection: { studioId: 1, assetId: 1, version: 1, file: 1, createdAt: 1 } }).sort({ _id: 1 }).limit(BATCH).toArray();
      if (batch.length === 0) break;
      for (const v of batch) {
        const { studioId, file } = v;
        if (await blobs.findOne({ studioId, key: file.key })) continue;
        const direct = await sessions.findOne({ studioId, assetId: v.assetId, key: file.key }, { projection: { _id: 1 } });
        const verified = !direct || Boolean(await pipelines.findOne({ studioId, assetId: v.assetId, version: v.version, status: { $in: VERIFIED } }, { projection: { _id: 1 } }));
        const now = new Date();
        const doc = { studioId, sha256: file.sha256, key: file.key, size: file.size, mimeType: file.mimeType, state: 'live', claimedAt: now, createdAt: v.createdAt ?? now };
        // Taken already (a duplicate of these bytes, or a re-run racing this one): the object stays private.
        if (verified && (await insertBlob(blobs, { ...doc, address: `sha256:${file.sha256}` }))) continue;
        await insertBlob(blobs, { ...doc, address: `object:${file.key}` });
      }
      after = batch[batch.length - 1]._id;
      await progress.updateOne({ _id: NAME }, { $set: { lastVersionId: after, at: new Date() } }, { upsert: true });
    }
  },

  // The blobs stay: an older release ignores the collection (and has no collector to act on it).
  async down(db) {
    await db.collection('migration_progress').deleteOne({ _id: NAME });
  },
};
