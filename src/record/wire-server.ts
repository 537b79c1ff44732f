import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseBody } from './cassette.ts';

/** One scripted HTTP answer. */
export interface WireResponse {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  /** SSE chunks, written one by one (content-type text/event-stream). */
  stream?: string[];
  /** Before the status line is sent. */
  delayMs?: number;
  /** Before the first stream chunk (time to first token). */
  firstChunkMs?: number;
  /** Before each later stream chunk (per token). */
  chunkMs?: number;
  /** Break the connection (destroy the socket) after this many stream chunks; for a JSON or text body, halfway through it. */
  cutAfter?: number;
}

export interface ReceivedRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers: Record<string, string>;
  bodyText: string;
  body: unknown;
  /** Milliseconds since the server started. */
  at: number;
}

export type WireHandler = (
  request: ReceivedRequest,
) => WireResponse | Response | undefined | Promise<WireResponse | Response | undefined>;

export interface WireServerOptions {
  /** Answers requests when the queue is empty. */
  handler?: WireHandler;
  /** Default pacing of every stream: simulates a live model (e.g. 500 ms TTFT, 15 ms per token). */
  timing?: { firstChunkMs: number; chunkMs: number };
}

export interface WireServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: ReceivedRequest[];
  /** Scripted answers, served first in, first out, before the handler. */
  enqueue(...responses: WireResponse[]): void;
  /** Scripted answers not served yet. */
  pending(): number;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A real HTTP server on 127.0.0.1 (random port) that plays an LLM provider: scripted status
 * codes, headers, JSON and SSE bodies, pacing and broken connections, for the real SDKs.
 */
export async function startWireServer(options: WireServerOptions = {}): Promise<WireServer> {
  const queue: WireResponse[] = [];
  const requests: ReceivedRequest[] = [];
  const started = performance.now();

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const received = await readReceived(req, started);
    requests.push(received);
    const answer = queue.shift() ?? (await options.handler?.(received));
    if (answer === undefined)
      return serverError(res, `nothing scripted for ${received.method} ${received.path}`);
    if (answer instanceof Response) await pipeResponse(answer, res);
    else await writeAnswer(answer, res, options.timing);
  }

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) serverError(res, String(error));
      else res.destroy();
    });
  });
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  await listening;
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    enqueue: (...responses) => queue.push(...responses),
    pending: () => queue.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A 500 the SDKs do not retry: the script, not the provider, is at fault. */
function serverError(res: ServerResponse, message: string): void {
  res.writeHead(500, { 'content-type': 'application/json', 'x-should-retry': 'false' });
  res.end(JSON.stringify({ error: { message: `wire server: ${message}`, type: 'server_error' } }));
}

/** The request as a test reads it; `at` is when its body had arrived, in ms since `started`. */
async function readReceived(req: IncomingMessage, started: number): Promise<ReceivedRequest> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  const bodyText = Buffer.concat(parts).toString('utf8');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers,
    bodyText,
    body: parseBody(bodyText),
    at: performance.now() - started,
  };
}

async function writeAnswer(
  answer: WireResponse,
  res: ServerResponse,
  timing: WireServerOptions['timing'],
): Promise<void> {
  if (answer.delayMs) await sleep(answer.delayMs);
  const status = answer.status ?? 200;
  if (answer.stream) return writeStream(answer, answer.stream, status, res, timing);
  const isJson = answer.json !== undefined;
  const body = isJson ? JSON.stringify(answer.json) : (answer.text ?? '');
  res.writeHead(status, {
    ...(isJson ? { 'content-type': 'application/json' } : {}),
    ...answer.headers,
  });
  if (answer.cutAfter !== undefined) {
    await new Promise<void>((resolve) =>
      res.write(body.slice(0, body.length >> 1), () => resolve()),
    );
    return breakConnection(res);
  }
  res.end(body);
}

/** SSE chunks paced as scripted; `cutAfter` breaks the connection before that chunk. */
async function writeStream(
  answer: WireResponse,
  stream: readonly string[],
  status: number,
  res: ServerResponse,
  timing: WireServerOptions['timing'],
): Promise<void> {
  res.writeHead(status, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    ...answer.headers,
  });
  res.flushHeaders();
  const firstChunkMs = answer.firstChunkMs ?? timing?.firstChunkMs ?? 0;
  const chunkMs = answer.chunkMs ?? timing?.chunkMs ?? 0;
  for (let i = 0; i < stream.length; i++) {
    if (answer.cutAfter === i) return breakConnection(res);
    const wait = i === 0 ? firstChunkMs : chunkMs;
    if (wait > 0) await sleep(wait);
    if (res.destroyed) return;
    await new Promise<void>((resolve) => res.write(stream[i]!, () => resolve()));
  }
  if (answer.cutAfter !== undefined && answer.cutAfter >= stream.length)
    return breakConnection(res);
  res.end();
}

async function breakConnection(res: ServerResponse): Promise<void> {
  // Give the written chunks a moment to leave before the socket goes.
  await sleep(5);
  res.socket?.destroy();
  res.destroy();
}

async function pipeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'content-length') headers[name] = value;
  });
  res.writeHead(response.status, headers);
  res.flushHeaders();
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await new Promise<void>((resolve) => res.write(value, () => resolve()));
    }
    res.end();
  } catch {
    await breakConnection(res);
  }
}

/**
 * A handler that answers from a fetch, e.g. `createReplayFetch({ cassettePath, timing })`, so a
 * real HTTP server serves a cassette (for benchmarks and for clients that cannot take a fetch).
 */
export function handlerFromFetch(
  fetch: (input: string, init?: RequestInit) => Promise<Response>,
): WireHandler {
  return async (request) => {
    const headers = { ...request.headers };
    delete headers['content-length'];
    delete headers.host;
    return fetch(`http://wire.invalid${request.path}`, {
      method: request.method,
      headers,
      ...(request.bodyText === '' ? {} : { body: request.bodyText }),
    });
  };
}
