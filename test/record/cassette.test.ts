import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/runtime-errors.ts';
import {
  CASSETTE_VERSION,
  type Cassette,
  canonicalBody,
  filterRequestHeaders,
  filterResponseHeaders,
  normalizeBody,
  parseBody,
  readCassette,
  SECRET_HEADERS,
  serializeCassette,
  writeCassette,
} from '../../src/record/cassette.ts';
import { collectSecrets, REDACTED, scrubSecrets } from '../../src/secrets/secret-values.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'toolplan-cassette-unit-'));

describe('filterRequestHeaders', () => {
  it('drops every credential header, whatever its case', () => {
    const headers = new Headers();
    for (const name of SECRET_HEADERS) headers.set(name.toUpperCase(), `value-of-${name}`);
    headers.set('content-type', 'application/json');
    expect(filterRequestHeaders(headers)).toEqual({ 'content-type': 'application/json' });
  });

  it('drops transport headers and the SDK’s x-stainless-* telemetry, and sorts the rest', () => {
    const headers = new Headers({
      'x-stainless-os': 'Linux',
      'x-stainless-retry-count': '0',
      'user-agent': 'OpenAI/JS 6',
      'content-length': '42',
      'accept-encoding': 'gzip',
      host: 'api.openai.com',
      'anthropic-version': '2023-06-01',
      accept: 'application/json',
      'Content-Type': 'application/json',
    });
    const out = filterRequestHeaders(headers);
    expect(out).toEqual({
      accept: 'application/json',
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
    });
    expect(Object.keys(out)).toEqual(['accept', 'anthropic-version', 'content-type']);
  });
});

describe('filterResponseHeaders', () => {
  it('drops credentials (set-cookie, organisation ids) and volatile headers, keeps the rest', () => {
    const headers = new Headers({
      'set-cookie': '__cf_bm=secret-cookie; path=/',
      'openai-organization': 'org-secret',
      date: 'Mon, 01 Jan 2024 00:00:00 GMT',
      'cf-ray': '8a1b',
      server: 'cloudflare',
      'x-request-id': 'req_123',
      'content-type': 'text/event-stream',
      'x-stainless-kept': 'responses keep these',
    });
    expect(filterResponseHeaders(headers)).toEqual({
      'content-type': 'text/event-stream',
      'x-request-id': 'req_123',
      'x-stainless-kept': 'responses keep these',
    });
  });
});

describe('parseBody', () => {
  it('parses JSON, keeps other text as text, and has no body for empty text', () => {
    expect(parseBody('')).toBeUndefined();
    expect(parseBody('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(parseBody('42')).toBe(42);
    expect(parseBody('null')).toBeNull();
    expect(parseBody('not json {')).toBe('not json {');
    expect(parseBody('data: {"x":1}\n\n')).toBe('data: {"x":1}\n\n');
  });
});

describe('normalizeBody', () => {
  it('sorts keys at every depth and keeps array order', () => {
    const out = normalizeBody({ b: 1, a: { d: [{ z: 1, y: 2 }, 3], c: null } });
    expect(JSON.stringify(out)).toBe('{"a":{"c":null,"d":[{"y":2,"z":1},3]},"b":1}');
  });

  it('removes ignored fields by exact dotted path only', () => {
    const body = {
      user: 'u1',
      metadata: { user_id: 'abc', keep: true },
      nested: { user: 'not at the top level: kept' },
    };
    expect(normalizeBody(body, ['user', 'metadata.user_id'])).toEqual({
      metadata: { keep: true },
      nested: { user: 'not at the top level: kept' },
    });
    // A prefix of a path is not the path.
    expect(normalizeBody(body, ['metadata.user'])).toEqual(normalizeBody(body));
  });

  it('applies an ignored path to every item of an array on the way', () => {
    const body = {
      messages: [
        { role: 'user', id: 1 },
        { role: 'assistant', id: 2 },
      ],
    };
    expect(normalizeBody(body, ['messages.id'])).toEqual({
      messages: [{ role: 'user' }, { role: 'assistant' }],
    });
  });

  it('keeps a "__proto__" key as data, so bodies differing only there do not match', () => {
    const a = JSON.parse('{"args":{"__proto__":{"x":1}},"n":1}');
    const b = JSON.parse('{"args":{"__proto__":{"x":2}},"n":1}');
    expect(canonicalBody(a)).toBe('{"args":{"__proto__":{"x":1}},"n":1}');
    expect(canonicalBody(a)).not.toBe(canonicalBody(b));
    expect(Object.getPrototypeOf((normalizeBody(a) as { args: object }).args)).toBe(
      Object.prototype,
    );
  });

  it('leaves scalars, null and text alone', () => {
    expect(normalizeBody('text')).toBe('text');
    expect(normalizeBody(3)).toBe(3);
    expect(normalizeBody(null)).toBeNull();
    expect(normalizeBody(undefined)).toBeUndefined();
    expect(canonicalBody(undefined)).toBe('');
  });
});

/** The same JSON value with every object's keys in a random order. */
function shuffled(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((item) => shuffled(item, random));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, shuffled(v, random)]));
}

const jsonArb = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

describe('normalizeBody (property)', () => {
  it('gives the same canonical text whatever the key order', () => {
    fc.assert(
      fc.property(jsonArb, fc.integer(), (value, seed) => {
        let state = seed >>> 0;
        // A small seeded generator (LCG), so a failure reproduces from fast-check's seed.
        const next = () => {
          state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
          return state / 2 ** 32;
        };
        expect(canonicalBody(shuffled(value, next))).toBe(canonicalBody(value));
      }),
    );
  });

  it('is idempotent and keeps the value (as data) when nothing is ignored', () => {
    fc.assert(
      fc.property(jsonArb, (value) => {
        const once = normalizeBody(value);
        expect(normalizeBody(once)).toEqual(once);
        expect(once).toEqual(value);
      }),
    );
  });

  it('an ignored top-level field never changes the canonical text', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1 }), jsonArb),
        jsonArb,
        jsonArb,
        (body, a, b) => {
          const key = 'volatile_field';
          expect(canonicalBody({ ...body, [key]: a }, [key])).toBe(
            canonicalBody({ ...body, [key]: b }, [key]),
          );
        },
      ),
    );
  });
});

describe('collectSecrets', () => {
  it('takes the key variables and extra values, drops short and repeated ones, longest first', () => {
    const secrets = collectSecrets(
      {
        OPENAI_API_KEY: 'sk-openai-0123456789',
        ANTHROPIC_API_KEY: 'sk-ant-0123456789abcdef',
        ANTHROPIC_AUTH_TOKEN: 'short',
        HOME: '/root/not-a-secret-var',
      },
      ['extra-secret-value', 'sk-openai-0123456789', 'tiny', ''],
    );
    expect(secrets).toEqual([
      'sk-ant-0123456789abcdef',
      'sk-openai-0123456789',
      'extra-secret-value',
    ]);
  });

  it('is empty for an empty environment', () => {
    expect(collectSecrets({})).toEqual([]);
  });
});

describe('scrubSecrets', () => {
  it('replaces every occurrence, and the longer secret before a shorter one inside it', () => {
    const long = 'sk-proj-abcdefgh-0123';
    const short = 'abcdefgh';
    const text = `a ${long} b ${short} c ${long}${long}`;
    expect(scrubSecrets(text, collectSecrets({}, [short, long]))).toBe(
      `a ${REDACTED} b ${REDACTED} c ${REDACTED}${REDACTED}`,
    );
  });

  // Secrets drawn from characters "[redacted]" lacks, so the marker cannot itself form one.
  const secretArb = fc.stringMatching(/^[A-Z0-9_-]{8,24}$/);
  const filler = fc.string({ maxLength: 30 });

  it('leaves no occurrence of any secret in any text (property)', () => {
    fc.assert(
      fc.property(
        fc.array(secretArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(filler, fc.nat()), { maxLength: 8 }),
        filler,
        (secrets, pieces, tail) => {
          const text =
            pieces.map(([before, which]) => before + secrets[which % secrets.length]).join('') +
            tail;
          const out = scrubSecrets(text, collectSecrets({}, secrets));
          for (const secret of secrets) expect(out).not.toContain(secret);
        },
      ),
    );
  });

  it('changes nothing in text holding no secret (property)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const secret = 'SECRET-THAT-IS-NOT-THERE';
        fc.pre(!text.includes(secret));
        expect(scrubSecrets(text, [secret])).toBe(text);
      }),
    );
  });
});

describe('serializeCassette', () => {
  it('is pretty JSON ending in a newline, scrubbed in keys, values and paths', () => {
    const secret = 'sk-live-0123456789abcdef';
    const cassette: Cassette = {
      version: CASSETTE_VERSION,
      interactions: [
        {
          request: { method: 'GET', path: `/v1/models?key=${secret}`, body: { [secret]: secret } },
          response: { status: 200, headers: {}, text: `your key is ${secret}` },
        },
      ],
    };
    const text = serializeCassette(cassette, [secret]);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).not.toContain(secret);
    expect(text.split(REDACTED)).toHaveLength(5);
    expect(text).toContain('\n  "interactions": [');
  });
});

describe('writeCassette / readCassette', () => {
  it('writes nested folders and leaves no temp file', () => {
    const dir = tmp();
    const path = join(dir, 'a', 'b', 'c.json');
    const cassette: Cassette = { version: 1, note: 'n', interactions: [] };
    writeCassette(path, cassette);
    expect(readCassette(path)).toEqual(cassette);
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['c.json']);
  });

  it('fails cleanly when the rename cannot happen: no temp file, the old cassette intact', () => {
    const dir = tmp();
    // A directory where the cassette should be: the temp file is written, the rename fails.
    const path = join(dir, 'taken.json');
    mkdirSync(path);
    writeFileSync(join(path, 'inside'), 'x');
    expect(() => writeCassette(path, { version: 1, interactions: [] })).toThrow();
    expect(readdirSync(dir)).toEqual(['taken.json']);
  });

  it('fails cleanly when the folder cannot be made', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'file'), 'not a folder');
    const path = join(dir, 'file', 'cassette.json');
    expect(() => writeCassette(path, { version: 1, interactions: [] })).toThrow(/ENOTDIR|EEXIST/);
    expect(readdirSync(dir)).toEqual(['file']);
    expect(readFileSync(join(dir, 'file'), 'utf8')).toBe('not a folder');
  });

  it('keeps the previous cassette when writing a new one fails', () => {
    const dir = tmp();
    const path = join(dir, 'c.json');
    const old: Cassette = { version: 1, note: 'old', interactions: [] };
    writeCassette(path, old);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() =>
      writeCassette(path, {
        version: 1,
        interactions: [
          {
            request: { method: 'GET', path: '/', body: circular },
            response: { status: 200, headers: {} },
          },
        ],
      }),
    ).toThrow(/circular/i);
    expect(readCassette(path)).toEqual(old);
    expect(readdirSync(dir)).toEqual(['c.json']);
  });

  it('never leaves a partial cassette when the writing process is killed mid-write', async () => {
    const dir = tmp();
    const path = join(dir, 'c.json');
    const child = fileURLToPath(new URL('./support/write-cassettes-forever.ts', import.meta.url));
    const proc = execFile(process.execPath, ['--import', 'tsx', child, path], { timeout: 20_000 });
    const ready = new Promise<void>((resolve, reject) => {
      proc.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('written')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    await ready;
    // Read it over and over while it is being rewritten: a reader never sees half a cassette.
    const until = performance.now() + 300;
    let reads = 0;
    while (performance.now() < until) {
      const seen = readCassette(path);
      expect(seen.interactions).toHaveLength(200);
      reads++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(reads).toBeGreaterThan(5);
    // Then kill it while it is writing (it rewrites a ~1 MB cassette in a tight loop).
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
    const cassette = readCassette(path);
    expect(cassette.interactions).toHaveLength(200);
    const version = cassette.note;
    expect(version).toMatch(/^round \d+$/);
    for (const interaction of cassette.interactions) {
      expect(interaction.response.text).toContain(version);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('reports a missing file, bad JSON and a wrong shape as ConfigError naming the file', () => {
    const dir = tmp();
    const missing = join(dir, 'missing.json');
    expect(() => readCassette(missing)).toThrow(ConfigError);
    expect(() => readCassette(missing)).toThrow(`cassette ${missing} cannot be read`);
    try {
      readCassette(missing);
    } catch (error) {
      expect(error).toMatchObject({ code: 'cassette_missing', details: { cassettePath: missing } });
    }
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"version": 1, "interactions": [');
    expect(() => readCassette(bad)).toThrow(expect.objectContaining({ code: 'cassette_invalid' }));
    const old = join(dir, 'old.json');
    writeFileSync(old, JSON.stringify({ version: 2, interactions: [] }));
    expect(() => readCassette(old)).toThrow(/not a version 1 cassette/);
    const noList = join(dir, 'nolist.json');
    writeFileSync(noList, JSON.stringify({ version: 1, interactions: {} }));
    expect(() => readCassette(noList)).toThrow(
      expect.objectContaining({ code: 'cassette_invalid' }),
    );
  });
});

const headerArb = fc.dictionary(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
  fc.string({ maxLength: 20 }),
  { maxKeys: 4 },
);
const interactionArb = fc.record({
  request: fc.record(
    {
      method: fc.constantFrom('GET', 'POST', 'DELETE'),
      path: fc.webPath(),
      headers: headerArb,
      body: jsonArb,
    },
    { requiredKeys: ['method', 'path'] },
  ),
  response: fc.record(
    {
      status: fc.integer({ min: 100, max: 599 }),
      headers: headerArb,
      body: jsonArb,
      text: fc.string(),
      stream: fc.array(fc.string({ minLength: 1 }), { maxLength: 5 }),
      cut: fc.boolean(),
    },
    { requiredKeys: ['status', 'headers'] },
  ),
});

describe('cassette files (property)', () => {
  it('a cassette written then read is the same cassette', () => {
    const dir = tmp();
    let n = 0;
    fc.assert(
      fc.property(
        fc.array(interactionArb, { maxLength: 4 }),
        fc.option(fc.string(), { nil: undefined }),
        (interactions, note) => {
          const cassette: Cassette = {
            version: CASSETTE_VERSION,
            ...(note !== undefined ? { note } : {}),
            interactions: interactions as Cassette['interactions'],
          };
          const path = join(dir, `c${n++}.json`);
          writeCassette(path, cassette);
          expect(readCassette(path)).toEqual(cassette);
        },
      ),
      { numRuns: 60 },
    );
  });
});
