import { collectSecrets } from '../secrets/secret-values.ts';
import {
  CASSETTE_VERSION,
  type Cassette,
  type CassetteResponse,
  filterRequestHeaders,
  filterResponseHeaders,
  type Interaction,
  parseBody,
  SECRET_HEADERS,
  writeCassette,
} from './cassette.ts';
import { readRequest } from './http-request.ts';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface RecordingFetchOptions {
  cassettePath: string;
  /** The fetch that reaches the network; default the global fetch. */
  fetch?: Fetch;
  /** Written into the cassette: what it holds and how to re-record it. */
  note?: string;
  /** Extra literal secrets to scrub, beyond the key variables' values and auth header values. */
  secrets?: readonly string[];
  /** Where key variables are read from for scrubbing; default process.env. */
  env?: Record<string, string | undefined>;
}

export type RecordingFetch = Fetch & {
  readonly cassette: Cassette;
  /** Resolves when every exchange begun so far is complete and written; rejects if one could not be. */
  flush(): Promise<void>;
};

/**
 * A fetch that forwards to the network and writes every exchange to a cassette, starting a
 * fresh cassette. Streams are passed through as they arrive and stored chunk by chunk. The
 * file is rewritten (atomically) after each exchange completes, with credentials removed.
 */
export function createRecordingFetch(options: RecordingFetchOptions): RecordingFetch {
  const realFetch = options.fetch ?? globalThis.fetch;
  const cassette: Cassette = {
    version: CASSETTE_VERSION,
    ...(options.note ? { note: options.note } : {}),
    interactions: [],
  };
  // Slots are taken in request order, so concurrent exchanges are stored deterministically.
  const slots: (Interaction | undefined)[] = [];
  const seenSecrets = new Set<string>();
  const pending = new Set<Promise<void>>();
  const failures: unknown[] = [];

  const save = () => {
    cassette.interactions = slots.filter((slot): slot is Interaction => slot !== undefined);
    const secrets = collectSecrets(options.env ?? process.env, [
      ...(options.secrets ?? []),
      ...seenSecrets,
    ]);
    writeCassette(options.cassettePath, cassette, secrets);
  };

  const recordingFetch = async (input: string | URL | Request, init?: RequestInit) => {
    const seen = await readRequest(input, init);
    noteSecrets(seen.headers, seenSecrets);
    const slot = slots.length;
    slots.push(undefined);
    const forwardInit =
      init?.body != null && typeof init.body !== 'string' ? { ...init, body: seen.bodyText } : init;
    const response = await realFetch(input, forwardInit);
    const request = {
      method: seen.method,
      path: seen.path,
      headers: filterRequestHeaders(seen.headers),
      ...(seen.bodyText === '' ? {} : { body: parseBody(seen.bodyText) }),
    };
    const head = { status: response.status, headers: filterResponseHeaders(response.headers) };
    const isStream = (response.headers.get('content-type') ?? '').includes('text/event-stream');
    if (!response.body) {
      slots[slot] = { request, response: head };
      save();
      return response;
    }
    const [forCaller, forCassette] = response.body.tee();
    const done = readAll(forCassette).then(({ chunks, cut }) => {
      slots[slot] = { request, response: storedResponse(head, chunks, cut, isStream) };
      save();
    });
    // A failed save must reach the caller through flush(), never escape as an unhandled
    // rejection (which ends the process) while flush() reports success.
    const tracked = done.then(
      () => undefined,
      (error: unknown) => {
        failures.push(error);
      },
    );
    pending.add(tracked);
    void tracked.finally(() => pending.delete(tracked));
    return new Response(forCaller, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };

  return Object.assign(recordingFetch, {
    cassette,
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
      if (failures.length > 0) throw failures.splice(0)[0];
    },
  });
}

/** Credentials the request carried, bare and without their scheme: scrubbed wherever echoed. */
function noteSecrets(headers: Headers, into: Set<string>): void {
  headers.forEach((value, name) => {
    if (!SECRET_HEADERS.has(name.toLowerCase())) return;
    into.add(value);
    into.add(value.replace(/^(Bearer|Basic)\s+/i, ''));
  });
}

/** A stream as its chunks; a JSON body parsed; anything else as text. */
function storedResponse(
  head: Pick<CassetteResponse, 'status' | 'headers'>,
  chunks: string[],
  cut: boolean,
  isStream: boolean,
): CassetteResponse {
  if (isStream) return { ...head, stream: chunks, ...(cut ? { cut: true } : {}) };
  const text = chunks.join('');
  const body = parseBody(text);
  const stored: CassetteResponse =
    typeof body === 'string' || body === undefined ? { ...head, text } : { ...head, body };
  if (cut) stored.cut = true;
  return stored;
}

async function readAll(
  body: ReadableStream<Uint8Array>,
): Promise<{ chunks: string[]; cut: boolean }> {
  const decoder = new TextDecoder();
  const chunks: string[] = [];
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      if (text !== '') chunks.push(text);
    }
    const rest = decoder.decode();
    if (rest !== '') chunks.push(rest);
    return { chunks, cut: false };
  } catch {
    return { chunks, cut: true };
  }
}
