import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { traceOfRun } from '../../src/eval/run-trace.ts';
import { FileJournalStore, type RunEvent } from '../../src/exec/index.ts';
import { runTask } from '../../src/loop/run-task.ts';
import { AnthropicModel } from '../../src/providers/anthropic.ts';
import { OpenAIModel } from '../../src/providers/openai.ts';
import { createRecordingFetch } from '../../src/record/recording-fetch.ts';
import {
  anthropicError,
  anthropicStream,
  openaiChatStream,
  openaiError,
  type WireStreamReply,
} from '../../src/record/wire-formats.ts';
import { startWireServer, type WireServer } from '../../src/record/wire-server.ts';
import { createBundledWorld } from '../../tools/index.ts';

/**
 * A run through the real SDKs, the wire server and the recording fetch, with a distinctive
 * fake key. Every artefact (journal, cassette, events, trace, errors, CLI stdout and stderr)
 * is written to disk or captured, then grepped for the key and for auth header values.
 */

const KEY = 'sk-test-SECRET-123';
const ROOT = resolve(import.meta.dirname, '../..');
let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const PLAN = {
  version: 1,
  nodes: [
    { id: 'user', call: 'get_user', args: { user_id: 'u1' } },
    { id: 'orders', call: 'get_orders', args: { user_id: 'u1' } },
  ],
};
const replies: WireStreamReply[] = [
  {
    toolCalls: [{ name: 'submit_plan', args: PLAN }],
    usage: { inputTokens: 400, outputTokens: 60 },
  },
  { text: 'Ada has 2 orders.', usage: { inputTokens: 500, outputTokens: 12 } },
];

/** Every file under dir, recursively, as text. */
function filesUnder(dir: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push([path, readFileSync(path, 'utf8')]);
  }
  return out;
}

function leaks(artefacts: Array<[string, string]>): string[] {
  const found: string[] = [];
  for (const [name, text] of artefacts) {
    if (text.includes(KEY)) found.push(`${name}: contains the key`);
    if (text.includes('SECRET-123')) found.push(`${name}: contains part of the key`);
    // An auth header with a value that is not the redaction marker.
    const header = /"?(authorization|x-api-key)"?\s*[:=]\s*"?(?!\[redacted\])([^",\s}]+)/gi;
    for (const m of text.matchAll(header)) found.push(`${name}: ${m[1]} = ${m[2]}`);
    if (/Bearer\s+sk-/i.test(text)) found.push(`${name}: a bearer token`);
  }
  return found;
}

for (const provider of ['openai', 'anthropic'] as const) {
  describe(`${provider}: the key never reaches an artefact`, () => {
    it('journal, cassette, events, trace, result and errors of a whole task', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'toolplan-secrets-'));
      server = await startWireServer();
      for (const r of replies)
        server.enqueue({
          stream: provider === 'openai' ? openaiChatStream(r) : anthropicStream(r),
        });
      const fetch = createRecordingFetch({ cassettePath: join(dir, 'cassette.json'), env: {} });
      const model =
        provider === 'openai'
          ? new OpenAIModel({ baseURL: `${server.origin}/v1`, apiKey: KEY, fetch, maxRetries: 0 })
          : new AnthropicModel({ baseURL: server.origin, apiKey: KEY, fetch, maxRetries: 0 });
      const store = new FileJournalStore(join(dir, 'runs'));
      const loopEvents: unknown[] = [];
      const world = createBundledWorld();
      const result = await runTask('How many orders has u1?', {
        model,
        tools: world.tools,
        store,
        prefetch: false,
        onEvent: (e) => loopEvents.push(e),
      });
      await fetch.flush();
      expect(result.status).toBe('answered');
      // The key did travel to the provider: the test would prove nothing otherwise.
      const sent = server.requests.map((r) => JSON.stringify(r.headers)).join('\n');
      expect(sent).toContain(KEY);

      const runs = await store.list();
      expect(runs.length).toBe(1);
      const journal: RunEvent[] = await store.read(runs[0]!);
      const artefacts: Array<[string, string]> = [
        ...filesUnder(dir),
        ['loop events (NDJSON)', loopEvents.map((e) => JSON.stringify(e)).join('\n')],
        ['trace', JSON.stringify(traceOfRun(journal))],
        ['result', JSON.stringify(result)],
      ];
      expect(artefacts.some(([n]) => n.endsWith('cassette.json'))).toBe(true);
      expect(artefacts.some(([n]) => n.endsWith('.jsonl'))).toBe(true);
      expect(leaks(artefacts)).toEqual([]);
    });

    it('an auth failure whose provider message echoes the key: the error does not carry it', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'toolplan-secrets-'));
      const echo = `Incorrect API key provided: ${KEY}. You can find your API key at https://example.invalid.`;
      server = await startWireServer({
        handler: () => ({
          status: 401,
          json:
            provider === 'openai'
              ? openaiError(echo, 'invalid_request_error', 'invalid_api_key')
              : anthropicError('authentication_error', echo),
        }),
      });
      const fetch = createRecordingFetch({ cassettePath: join(dir, 'cassette.json'), env: {} });
      const model =
        provider === 'openai'
          ? new OpenAIModel({ baseURL: `${server.origin}/v1`, apiKey: KEY, fetch, maxRetries: 0 })
          : new AnthropicModel({ baseURL: server.origin, apiKey: KEY, fetch, maxRetries: 0 });
      const loopEvents: unknown[] = [];
      const result = await runTask('anything', {
        model,
        tools: createBundledWorld().tools,
        prefetch: false,
        onEvent: (e) => loopEvents.push(e),
      });
      await fetch.flush();
      expect(result.status).toBe('failed');
      const error = result.error!;
      const errorText = [
        error.message,
        JSON.stringify(error),
        String(error.stack),
        JSON.stringify((error as { cause?: unknown }).cause ?? null),
        (error as { cause?: { message?: string } }).cause?.message ?? '',
        String((error as { cause?: { stack?: string } }).cause?.stack ?? ''),
      ].join('\n');
      expect(
        leaks([
          ['error', errorText],
          ['loop events', loopEvents.map((e) => JSON.stringify(e)).join('\n')],
          ...filesUnder(dir),
        ]),
      ).toEqual([]);
    });
  });
}

function cli(args: string[], env: Record<string, string>, cwd: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'toolplan'), ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, TOOLPLAN_FROM_SOURCE: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(t);
      done({ code, stdout, stderr });
    });
  });
}

describe('the CLI: stdout (--json events), stderr (logs) and the recorded cassette', () => {
  it('a recorded run and an auth failure leave no key anywhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'toolplan-secrets-cli-'));
    server = await startWireServer();
    for (const r of replies) server.enqueue({ stream: openaiChatStream(r) });
    const env = {
      OPENAI_API_KEY: KEY,
      OPENAI_BASE_URL: `${server.origin}/v1`,
      TOOLPLAN_PROVIDER: 'openai',
      TOOLPLAN_DEBUG: '1',
    };
    const tools = join(ROOT, 'tools', 'index.ts');
    const ok = await cli(
      [
        'run',
        'How many orders has u1?',
        '--tools',
        tools,
        '--cassette',
        join(dir, 'rec.json'),
        '--record',
        '--json',
      ],
      env,
      dir,
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('"task.answered"');
    expect(server.requests.some((r) => JSON.stringify(r.headers).includes(KEY))).toBe(true);

    await server.close();
    const echo = `Incorrect API key provided: ${KEY}.`;
    server = await startWireServer({
      handler: () => ({
        status: 401,
        json: openaiError(echo, 'invalid_request_error', 'invalid_api_key'),
      }),
    });
    const bad = await cli(
      ['run', 'anything', '--tools', tools],
      { ...env, OPENAI_BASE_URL: `${server.origin}/v1` },
      dir,
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.length).toBeGreaterThan(0);
    expect(
      leaks([
        ['run stdout', ok.stdout],
        ['run stderr', ok.stderr],
        ['auth failure stdout', bad.stdout],
        ['auth failure stderr', bad.stderr],
        ...filesUnder(dir),
      ]),
    ).toEqual([]);
  }, 60_000);
});
