// Reads keyed by many ids, in `$in` batches one after another: each query and each reply stays bounded
// (the query document, the server's work per command, and the driver's decoding of one reply, which runs
// on the API's event loop), however many ids the caller has (an editorial import compares 10,000 shots).
export const IN_BATCH = 1000;

export async function inBatches<I, T>(ids: readonly I[], read: (batch: I[]) => Promise<T[]>, size = IN_BATCH): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += size) {
    for (const row of await read(ids.slice(i, i + size))) out.push(row);
  }
  return out;
}
