import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A tiny client for the serve tests: JSON over fetch, and SSE read off the raw stream. */
export interface Client {
  base: string;
  token: string;
}

export const TOOLS_MODULE = new URL('./serve-tools.ts', import.meta.url).pathname;

export function tempDir(prefix = 'toolplan-serve-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function call(
  c: Client,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the API answered.
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${c.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed };
}

export interface SseEvent {
  id: number;
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the API streamed.
  data: any;
}

/**
 * Reads an SSE stream until `stop` says so (or the server ends it); aborts the connection
 * when it returns, like a client that goes away.
 */
export async function readSse(
  c: Client,
  path: string,
  options: {
    lastEventId?: number;
    stop?: (e: SseEvent, all: SseEvent[]) => boolean;
    timeoutMs?: number;
  } = {},
): Promise<SseEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error('SSE read timed out')),
    options.timeoutMs ?? 20_000,
  );
  const events: SseEvent[] = [];
  try {
    const res = await fetch(`${c.base}${path}`, {
      headers: {
        authorization: `Bearer ${c.token}`,
        ...(options.lastEventId !== undefined
          ? { 'last-event-id': String(options.lastEventId) }
          : {}),
      },
      signal: controller.signal,
    });
    if (res.status !== 200 || !res.body) throw new Error(`SSE ${path}: HTTP ${res.status}`);
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body) {
      buf += decoder.decode(chunk as Uint8Array, { stream: true });
      let cut = buf.indexOf('\n\n');
      while (cut >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const e: Partial<SseEvent> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) e.id = Number(line.slice(4));
          else if (line.startsWith('event: ')) e.event = line.slice(7);
          else if (line.startsWith('data: ')) e.data = JSON.parse(line.slice(6));
        }
        if (e.id !== undefined) {
          events.push(e as SseEvent);
          if (options.stop?.(e as SseEvent, events)) return events;
        }
        cut = buf.indexOf('\n\n');
      }
    }
    return events;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** Polls until `check` returns a value (not undefined). */
export async function until<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
