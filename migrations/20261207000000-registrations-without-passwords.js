// Issue 27, finding 1: a pending registration no longer holds a password (whoever follows the mailed link
// chooses it there), so the hashes that registrations made before this release carry are never read again.
// They are removed rather than left to expire: FerretDB has no TTL index, so expired registrations stay, and
// each hash is of a password a person (or an attacker) typed. Also drops the index of the per-address cap,
// which nothing queries any more. Written against the raw driver; a re-run finds nothing to change.
module.exports = {
  async up(db) {
    const registrations = db.collection('registrations');
    await registrations.updateMany({ passwordHash: { $exists: true } }, { $unset: { passwordHash: '' } });
    await registrations.dropIndex('emailNormalized_1_expiresAt_1').catch((err) => {
      if (err.codeName === 'IndexNotFound' || err.code === 27 || err.codeName === 'NamespaceNotFound' || err.code === 26 || /not found|ns does not exist/i.test(err.message || '')) return;
      throw err;
    });
  },

  async down() {
    // The hashes are gone and nothing reads them: there is nothing to restore.
  },
};
