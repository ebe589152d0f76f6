// A Server-Sent Events client over fetch (it can send Authorization, which the browser's EventSource cannot),
// keeping what EventSource keeps: the events, the comments, and the last event ID (which an `id:` line without
// data moves too) that a reconnection sends as Last-Event-ID.

export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

export interface SseStream {
  res: Response;
  events: SseEvent[];
  comments: string[];
  /** What EventSource would send as Last-Event-ID on reconnecting. */
  lastEventId: () => string | undefined;
  /** The last `retry:` the server asked for, in ms. */
  retryMs: () => number | undefined;
  ended: () => boolean;
  /** Resolves when the server ends the stream (or the test closes it). */
  done: Promise<void>;
  close: () => Promise<void>;
}

export async function openStream(base: string, token: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const ac = new AbortController();
  const res = await fetch(`${base}/events/stream`, { headers: { Authorization: `Bearer ${token}`, ...headers }, signal: ac.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let lastEventId: string | undefined = headers['Last-Event-ID'];
  let retryMs: number | undefined;
  let ended = false;
  const done = (async () => {
    // A refusal's body is read, so its connection goes back to the pool instead of lingering.
    if (!res.ok || !res.body) {
      await res.text().catch(() => undefined);
      ended = true;
      return;
    }
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const e: SseEvent = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) e.id = line.slice(4);
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) e.data = line.slice(6);
            else if (line.startsWith('retry: ')) retryMs = Number(line.slice(7));
          }
          if (e.id !== undefined) lastEventId = e.id;
          if (e.event) events.push(e);
        }
      }
    } catch {
      // aborted by the test
    }
    ended = true;
  })();
  return { res, events, comments, lastEventId: () => lastEventId, retryMs: () => retryMs, ended: () => ended, done, close: async () => { ac.abort(); await done; } };
}
