// Issue 28: names are searched by the starts of their words ("key" finds "Hero key art") from a multikey index
// on `nameWords`, which the API writes beside `nameLower` on every asset, project and task it stores. Documents
// stored before have none: this gives them theirs, in batches by _id, with the API's own tokeniser
// (src/app/repositories/nameWords.ts; tests/search.words.test.ts checks that the two agree). Idempotent and
// resumable without transactions: a batch only takes documents still lacking words, so a re-run (or one after a
// crash) finishes what is left and finds nothing once done. An update names the name it read, so a rename that
// lands in between (which writes its own words) is never overwritten with the old name's.
const BATCH = 500;
const NAME_WORDS_MAX = 32;
const NAME_WORD_CHARS = 40;

function nameWords(name) {
  const words = new Set();
  for (const m of String(name).normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    words.add(m[0].slice(0, NAME_WORD_CHARS));
    if (words.size === NAME_WORDS_MAX) break;
  }
  return [...words];
}

async function backfill(collection, size = BATCH) {
  const lacking = { nameWords: { $exists: false } };
  let after = null;
  for (;;) {
    const batch = await collection
      .find(after ? { $and: [{ _id: { $gt: after } }, lacking] } : lacking, { projection: { _id: 1, name: 1 } })
      .sort({ _id: 1 })
      .limit(size)
      .toArray();
    if (batch.length === 0) return;
    await collection.bulkWrite(
      batch.map((d) => ({ updateOne: { filter: { _id: d._id, name: d.name }, update: { $set: { nameWords: nameWords(d.name || '') } } } })),
      { ordered: false },
    );
    after = batch[batch.length - 1]._id;
  }
}

module.exports = {
  nameWords,
  backfill,
  async up(db) {
    for (const name of ['assets', 'projects', 'tasks']) await backfill(db.collection(name));
  },

  // An older release ignores the field.
  async down() {},
};
