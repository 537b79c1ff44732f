import {
  type Cassette,
  type CassetteResponse,
  canonicalBody,
  type Interaction,
  normalizeBody,
  parseBody,
  readCassette,
} from './cassette.ts';
import { CassetteMissError, diffSummary } from './cassette-miss-error.ts';
import { readRequest } from './http-request.ts';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface StreamTiming {
  /** Before the first chunk of a stream (time to first token). */
  firstChunkMs: number;
  /** Before each later chunk. */
  chunkMs: number;
}

export interface ReplayFetchOptions {
  cassette?: Cassette;
  cassettePath?: string;
  /** Body fields (dotted paths) left out of matching, e.g. `metadata.user_id`. */
  ignoreBodyFields?: readonly string[];
  /** Pace replayed streams like a live model; default: as fast as possible. */
  timing?: StreamTiming;
}

export type ReplayFetch = Fetch & {
  readonly cassette: Cassette;
  /** Interactions not served yet. */
  unused(): Interaction[];
};

/**
 * A fetch that answers from a cassette and never touches the network. A request is matched on
 * method, path and query (not host) and normalised body; identical requests get their
 * recordings in order. An unmatched request throws CassetteMissError.
 */
export function createReplayFetch(options: ReplayFetchOptions): ReplayFetch {
  const cassette =
    options.cassette ?? (options.cassettePath ? readCassette(options.cassettePath) : undefined);
  if (!cassette) throw new TypeError('createReplayFetch needs cassette or cassettePath');
  const ignore = options.ignoreBodyFields ?? [];
  const used = new Set<number>();
  const recorded = cassette.interactions.map((interaction) =>
    interaction.request.body === undefined
      ? undefined
      : canonicalBody(interaction.request.body, ignore),
  );

  const replayFetch = async (input: string | URL | Request, init?: RequestInit) => {
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    signal?.throwIfAborted();
    const seen = await readRequest(input, init);
    const body = parseBody(seen.bodyText);
    const wanted = canonicalBody(body, ignore);
    const sameRoute = (i: number) => {
      const request = cassette.interactions[i]!.request;
      return request.method.toUpperCase() === seen.method && request.path === seen.path;
    };
    const indexes = cassette.interactions
      .map((_, i) => i)
      .filter((i) => !used.has(i) && sameRoute(i));
    // An exact body beats a recording that accepts any body.
    const index =
      indexes.find((i) => recorded[i] === wanted) ?? indexes.find((i) => recorded[i] === undefined);
    if (index === undefined) {
      throw new CassetteMissError({
        method: seen.method,
        path: seen.path,
        ...(options.cassettePath ? { cassettePath: options.cassettePath } : {}),
        summary: explainMiss(cassette, used, seen.method, seen.path, body, ignore),
      });
    }
    used.add(index);
    return toResponse(cassette.interactions[index]!.response, options.timing, signal ?? undefined);
  };

  return Object.assign(replayFetch, {
    cassette,
    unused: () => cassette.interactions.filter((_, i) => !used.has(i)),
  });
}

function explainMiss(
  cassette: Cassette,
  used: Set<number>,
  method: string,
  path: string,
  body: unknown,
  ignore: readonly string[],
): string[] {
  const routes = cassette.interactions
    .map((interaction, i) => ({ interaction, i }))
    .filter(
      ({ interaction }) =>
        interaction.request.method.toUpperCase() === method && interaction.request.path === path,
    );
  if (routes.length === 0) {
    const known = [
      ...new Set(cassette.interactions.map((x) => `${x.request.method} ${x.request.path}`)),
    ];
    return [`no recording for this route; recorded: ${known.join(', ') || 'nothing'}`];
  }
  const unusedRoutes = routes.filter(({ i }) => !used.has(i));
  if (unusedRoutes.length === 0) {
    return [
      `all ${routes.length} recordings of this request were already used (the code asked once more than when recorded)`,
    ];
  }
  const nearest = unusedRoutes[0]!.interaction.request.body;
  return [
    `the body differs from the next unused recording (interaction ${unusedRoutes[0]!.i}):`,
    ...diffSummary(normalizeBody(nearest, ignore), normalizeBody(body, ignore)),
  ];
}

function toResponse(
  stored: CassetteResponse,
  timing: StreamTiming | undefined,
  signal: AbortSignal | undefined,
): Response {
  const headers = new Headers(stored.headers);
  if (stored.stream !== undefined) {
    if (!headers.has('content-type')) headers.set('content-type', 'text/event-stream');
    return new Response(chunkStream(stored.stream, stored.cut === true, timing, signal), {
      status: stored.status,
      headers,
    });
  }
  const text = stored.text ?? (stored.body === undefined ? '' : JSON.stringify(stored.body));
  if (stored.body !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'application/json');
  if (stored.cut)
    return new Response(chunkStream([text.slice(0, text.length >> 1)], true, undefined, signal), {
      status: stored.status,
      headers,
    });
  return new Response(text === '' ? null : text, { status: stored.status, headers });
}

function chunkStream(
  chunks: readonly string[],
  cut: boolean,
  timing: StreamTiming | undefined,
  signal: AbortSignal | undefined,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (timing) await sleep(next === 0 ? timing.firstChunkMs : timing.chunkMs, signal);
      if (signal?.aborted) {
        controller.error(signal.reason);
        return;
      }
      if (next < chunks.length) {
        controller.enqueue(encoder.encode(chunks[next++]));
        return;
      }
      if (cut) controller.error(new TypeError('terminated: the recorded connection broke here'));
      else controller.close();
    },
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
