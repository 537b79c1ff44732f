import type { Context } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import type { EventSource } from './event-source.ts';

export type { EventSource } from './event-source.ts';

export interface StreamSpec<E extends { seq: number }> {
  source: EventSource<E>;
  id: string;
  /** The last id the client saw (`Last-Event-ID`); -1 for everything. */
  after: number;
  message: (event: E) => { event: string; data: unknown };
  /** The stream ends after this event (the run or task is over). */
  isEnd: (event: E) => boolean;
  /** Nothing more can come (checked when the journal is drained). */
  isIdle: () => boolean;
  /** Registers a way for the server to close the stream when it stops. */
  onClose: (close: () => void) => () => void;
  keepAliveMs?: number;
}

/**
 * Server-Sent Events of one journal: subscribes first, then replays the journal past
 * `after`, then follows; duplicates are dropped by `seq`, so nothing is lost or sent twice
 * across the replay/live seam or a reconnect.
 */
export function streamJournal<E extends { seq: number }>(
  c: Context,
  spec: StreamSpec<E>,
): Response {
  return streamSSE(c, async (stream) => {
    const queue: E[] = [];
    let wake: (() => void) | undefined;
    let stop = false;
    const poke = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const unsubscribe = spec.source.subscribe(spec.id, (e) => {
      queue.push(e);
      poke();
    });
    const unregister = spec.onClose(() => {
      stop = true;
      poke();
    });
    stream.onAbort(() => {
      stop = true;
      poke();
    });
    let last = spec.after;
    let ended = false;
    const send = async (e: E) => {
      if (e.seq <= last || ended) return;
      last = e.seq;
      const m = spec.message(e);
      await stream.writeSSE({ id: String(e.seq), event: m.event, data: JSON.stringify(m.data) });
      if (spec.isEnd(e)) ended = true;
    };
    try {
      for (const e of await spec.source.read(spec.id)) await send(e);
      while (!stop && !ended) {
        while (queue.length && !ended) await send(queue.shift() as E);
        if (ended || stop) break;
        if (spec.isIdle()) break;
        await waitOrKeepAlive(stream, spec.keepAliveMs ?? 15_000, (w) => (wake = w));
      }
    } finally {
      unsubscribe();
      unregister();
    }
  });
}

async function waitOrKeepAlive(
  stream: SSEStreamingApi,
  ms: number,
  setWake: (w: () => void) => void,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const woke = await new Promise<boolean>((resolve) => {
    setWake(() => resolve(true));
    timer = setTimeout(() => resolve(false), ms);
  });
  clearTimeout(timer);
  // A comment line keeps proxies from closing a quiet stream.
  if (!woke) await stream.write(': keep-alive\n\n');
}

/** `Last-Event-ID` (or `?after=` for clients that cannot set headers), as a number. */
export function lastEventId(c: Context): number {
  const raw = c.req.header('last-event-id') ?? c.req.query('after');
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : -1;
}
