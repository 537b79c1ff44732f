import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../errors/runtime-errors.ts';
import { REDACTED, scrubSecrets } from '../secrets/secret-values.ts';

export const CASSETTE_VERSION = 1;

export interface CassetteRequest {
  method: string;
  /** Path and query (`/v1/chat/completions`); the host is ignored so any base URL replays. */
  path: string;
  /** Request headers, secrets redacted. Informational: never matched. */
  headers?: Record<string, string>;
  /**
   * The request body (parsed JSON, or text). Matched after normalising (keys sorted, ignored
   * fields dropped). Absent: matches any body, which suits hand-written cassettes.
   */
  body?: unknown;
}

export interface CassetteResponse {
  status: number;
  headers: Record<string, string>;
  /** A JSON body, parsed so the file reads well. */
  body?: unknown;
  /** A non-JSON body. */
  text?: string;
  /** An SSE body, byte for byte, split where the network split it. */
  stream?: string[];
  /** The connection broke after `stream`; replay breaks it at the same place. */
  cut?: boolean;
}

export interface Interaction {
  request: CassetteRequest;
  response: CassetteResponse;
}

export interface Cassette {
  version: typeof CASSETTE_VERSION;
  /** Free text: what was recorded, against what, how to re-record. */
  note?: string;
  interactions: Interaction[];
}

/** Headers whose values are credentials: never stored. */
export const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'openai-organization',
  'openai-project',
  'anthropic-organization-id',
  'cookie',
  'set-cookie',
]);

/** Headers that change from run to run or describe the transport, not the exchange. */
const VOLATILE_HEADERS = new Set([
  'date',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'host',
  'accept-encoding',
  'user-agent',
  'cf-ray',
  'alt-svc',
  'server',
]);

export function filterRequestHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    const key = name.toLowerCase();
    // Credentials are dropped outright, not masked: nothing to grep for, nothing to leak.
    if (VOLATILE_HEADERS.has(key) || SECRET_HEADERS.has(key) || key.startsWith('x-stainless-'))
      return;
    out[key] = value;
  });
  return sortKeys(out);
}

export function filterResponseHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    const key = name.toLowerCase();
    if (VOLATILE_HEADERS.has(key) || SECRET_HEADERS.has(key)) return;
    out[key] = value;
  });
  return sortKeys(out);
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Parses a body as JSON when it is JSON; other text stays text. */
export function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `value` with object keys sorted and `ignore`d fields (dotted paths, e.g. `metadata.user_id`) removed. */
export function normalizeBody(value: unknown, ignore: readonly string[] = []): unknown {
  const paths = ignore.map((path) => path.split('.'));
  const walk = (node: unknown, at: string[]): unknown => {
    if (Array.isArray(node)) return node.map((item) => walk(item, at));
    if (node === null || typeof node !== 'object') return node;
    const out: [string, unknown][] = [];
    for (const key of Object.keys(node).sort()) {
      const here = [...at, key];
      if (
        paths.some((path) => path.length === here.length && path.every((p, i) => p === here[i]))
      ) {
        continue;
      }
      out.push([key, walk((node as Record<string, unknown>)[key], here)]);
    }
    // fromEntries defines own properties: `out.__proto__ = x` would set the prototype and
    // drop a `__proto__` field (JSON.parse keeps it as data) from the match.
    return Object.fromEntries(out);
  };
  return walk(value, []);
}

export function canonicalBody(value: unknown, ignore: readonly string[] = []): string {
  return JSON.stringify(normalizeBody(value, ignore)) ?? '';
}

/**
 * Scrubs `chunks` as the one text they make: a key a server echoes split across two network
 * chunks is caught, where scrubbing chunk by chunk would store it in two readable halves. The
 * mark goes in the chunk where the secret began; every other boundary stays where it was.
 */
export function scrubChunks(chunks: readonly string[], secrets: readonly string[]): string[] {
  const joined = chunks.join('');
  const ranges: [number, number][] = [];
  for (const secret of secrets) {
    if (secret === '') continue;
    for (let at = joined.indexOf(secret); at !== -1; at = joined.indexOf(secret, at + 1)) {
      ranges.push([at, at + secret.length]);
    }
  }
  if (ranges.length === 0) return [...chunks];
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range[0] < last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([...range]);
  }
  const out: string[] = [];
  let offset = 0;
  let r = 0;
  for (const chunk of chunks) {
    const end = offset + chunk.length;
    let piece = '';
    for (let i = offset; i < end; ) {
      while (r < merged.length && merged[r]![1] <= i) r++;
      const range = merged[r];
      if (!range || range[0] >= end) {
        piece += joined.slice(i, end);
        break;
      }
      if (range[0] > i) {
        piece += joined.slice(i, range[0]);
        i = range[0];
      }
      if (range[0] === i) piece += REDACTED;
      i = Math.min(range[1], end);
    }
    out.push(piece);
    offset = end;
  }
  return out;
}

export function serializeCassette(cassette: Cassette, secrets: readonly string[] = []): string {
  const scrubbed: Cassette =
    secrets.length === 0
      ? cassette
      : {
          ...cassette,
          interactions: cassette.interactions.map((interaction) =>
            interaction.response.stream
              ? {
                  ...interaction,
                  response: {
                    ...interaction.response,
                    stream: scrubChunks(interaction.response.stream, secrets),
                  },
                }
              : interaction,
          ),
        };
  return `${scrubSecrets(JSON.stringify(scrubbed, null, 2), secrets)}\n`;
}

/** Writes atomically (temp file + rename), so a reader never sees half a cassette. */
export function writeCassette(
  path: string,
  cassette: Cassette,
  secrets: readonly string[] = [],
): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, serializeCassette(cassette, secrets));
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export function readCassette(path: string): Cassette {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      'cassette_missing',
      `cassette ${path} cannot be read. Record it with createRecordingFetch({ cassettePath }) ` +
        'against a live provider, or write it with the wire-format helpers of src/record.',
      { cause: error, details: { cassettePath: path } },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('cassette_invalid', `cassette ${path} is not valid JSON`, {
      cause: error,
      details: { cassettePath: path },
    });
  }
  const cassette = parsed as Partial<Cassette>;
  if (cassette.version !== CASSETTE_VERSION || !Array.isArray(cassette.interactions)) {
    throw new ConfigError(
      'cassette_invalid',
      `cassette ${path} is not a version ${CASSETTE_VERSION} cassette ({ "version": 1, "interactions": [...] })`,
      { details: { cassettePath: path } },
    );
  }
  return cassette as Cassette;
}
