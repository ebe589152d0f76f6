// For warnings about a dependency that is down: said once a minute, not once per request or event.

/** A gate that opens at most once every `ms`: call it before something that must not repeat often. */
export function atMostEvery(ms: number, now: () => number = Date.now): () => boolean {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    const t = now();
    if (t - last < ms) return false;
    last = t;
    return true;
  };
}
