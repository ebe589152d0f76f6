// Long synchronous work on the API's one thread, cut into slices: a loop asks at each step whether its slice
// is used up and, if so, awaits a turn of the event loop (setImmediate runs after pending I/O), so requests of
// every other studio are answered between slices. A promise chain alone never yields: a `for await` over a
// stream whose chunks are already buffered runs them all in microtasks, without a turn.
const DEFAULT_SLICE_MS = 5;

export class TimeSlicer {
  private last = performance.now();

  constructor(private readonly sliceMs = DEFAULT_SLICE_MS) {}

  /** A promise to await when this slice is used up; undefined otherwise (no microtask on the fast path). */
  turn(): Promise<void> | undefined {
    if (performance.now() - this.last < this.sliceMs) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        this.last = performance.now();
        resolve();
      }),
    );
  }
}
