// Issue 27, finding 7: the webhook reconciler walks the waiting deliveries in order of due time (index
// nextAttemptAt_1__id_1, built at start-up from the schema) instead of reading any 1000 unsettled ones, so
// the index it used before is no longer queried. Written against the raw driver; a re-run finds nothing to drop.
module.exports = {
  async up(db) {
    await db.collection('webhook_deliveries').dropIndex('status_1_nextAttemptAt_1').catch((err) => {
      if (err.codeName === 'IndexNotFound' || err.code === 27 || err.codeName === 'NamespaceNotFound' || err.code === 26 || /not found|ns does not exist/i.test(err.message || '')) return;
      throw err;
    });
  },

  async down(db) {
    await db.collection('webhook_deliveries').createIndex({ status: 1, nextAttemptAt: 1 });
  },
};
