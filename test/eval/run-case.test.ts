// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans hold CEL `${ }` expressions, not JS templates
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCassette, type ScriptedTurn } from '../../src/eval/cassette-builder.ts';
import { type EvalCase, loadCase } from '../../src/eval/eval-case.ts';
import { type RunCaseOptions, runCase as runCaseWith } from '../../src/eval/run-case.ts';
import {
  loadCases,
  runSuite as runSuiteWith,
  type SuiteOptions,
} from '../../src/eval/run-suite.ts';
import { readCassette, writeCassette } from '../../src/record/cassette.ts';
import { createReplayFetch } from '../../src/record/replay-fetch.ts';
import { handlerFromFetch } from '../../src/record/wire-server.ts';
import { createBundledTools } from '../../tools/index.ts';
import { useWireServer } from '../support/wire-server.ts';

// The caller hands the eval suite the bundled tools (the `eval` command does the same).
const runCase = (c: EvalCase, options: RunCaseOptions = {}) =>
  runCaseWith(c, { bundledTools: createBundledTools, ...options });
const runSuite = (cases: readonly EvalCase[], options: SuiteOptions = {}) =>
  runSuiteWith(cases, { bundledTools: createBundledTools, ...options });

/**
 * Whole cases run offline through the real loop, executor, bundled tools and provider SDK,
 * from cassettes written in the real wire format: each way a case can fail, failing.
 */

const userPlan = {
  version: 1,
  nodes: [{ id: 'user', call: 'get_user', args: { user_id: 'u1' } }],
  output: '${user.name}',
  final: true,
};

interface CaseOptions {
  name?: string;
  turns?: ScriptedTurn[];
  provider?: 'openai' | 'anthropic';
  /** Write no cassette at all. */
  noCassette?: boolean;
  root?: string;
  [field: string]: unknown;
}

/** Writes a case folder (case.json and a cassette built from `turns`) and loads it. */
function makeCase(options: CaseOptions = {}): EvalCase {
  const {
    name = 'demo',
    turns = [{ plan: userPlan }],
    provider = 'openai',
    noCassette,
    root,
    ...fields
  } = options;
  const dir = join(root ?? mkdtempSync(join(tmpdir(), 'toolplan-run-case-')), name);
  mkdirSync(dir, { recursive: true });
  const spec = {
    name,
    pattern: 'test',
    task: 'Who is user u1?',
    tools: 'bundled',
    mode: 'plan',
    provider,
    model: provider === 'openai' ? 'gpt-4.1-mini' : 'claude-sonnet-4-6',
    cassette: 'cassette.json',
    expect: { answer: { equals: 'Ada' } },
    ...fields,
  };
  writeFileSync(join(dir, 'case.json'), JSON.stringify(spec, null, 2));
  if (!noCassette) writeCassette(join(dir, 'cassette.json'), buildCassette(provider, turns));
  return loadCase(dir);
}

describe('runCase: passing cases', () => {
  it('runs a plan case end to end and reports what happened', async () => {
    const c = makeCase({
      expect: {
        answer: { equals: 'Ada' },
        calls: [{ name: 'get_user', args: { user_id: ['u1'] } }],
        exactCalls: true,
        maxLlmCalls: 1,
      },
    });
    const result = await runCase(c);
    expect(result.failures).toEqual([]);
    expect(result).toMatchObject({
      name: 'demo',
      pattern: 'test',
      task: 'Who is user u1?',
      provider: 'openai',
      mode: 'plan',
      origin: 'hand-written',
      passed: true,
      status: 'answered',
      answer: 'Ada',
      toolCalls: [{ name: 'get_user', args: { user_id: 'u1' }, nodeId: 'user' }],
    });
    expect(result.usage).toMatchObject({ llmCalls: 1, inputTokens: 900, outputTokens: 60 });
    expect(result.traces).toHaveLength(1);
    expect(result.traces[0]!.spans.map((s) => s.key)).toEqual(['user']);
    expect(result.traces[0]!.critical.path).toEqual(['user']);
    expect(result.makespanMs).toBe(result.traces[0]!.makespanMs);
    expect(result.criticalMs).toBe(result.traces[0]!.critical.ms);
    expect(result.wallMs).toBeGreaterThan(0);
  });

  it('runs the same case from an Anthropic cassette', async () => {
    const result = await runCase(makeCase({ provider: 'anthropic' }));
    expect(result.failures).toEqual([]);
    expect(result).toMatchObject({ passed: true, answer: 'Ada', provider: 'anthropic' });
  });

  it('runs a react case and draws its calls as one trace', async () => {
    const c = makeCase({
      mode: 'react',
      turns: [
        {
          toolCalls: [
            { name: 'get_weather', args: { city: 'Paris' } },
            { name: 'get_weather', args: { city: 'London' } },
          ],
        },
        { text: 'Paris is warmer than London.' },
      ],
      expect: {
        answer: { contains: ['Paris', 'London'] },
        calls: [
          { name: 'get_weather', args: { city: ['London'] } },
          { name: 'get_weather', args: { city: ['Paris'] } },
        ],
        exactCalls: true,
        maxLlmCalls: 2,
      },
    });
    const result = await runCase(c);
    expect(result.failures).toEqual([]);
    expect(result.usage.llmCalls).toBe(2);
    expect(result.traces).toHaveLength(1);
    expect(result.traces[0]!.spans.map((s) => s.key)).toEqual(['get_weather_1', 'get_weather_2']);
  });

  it('passes a case that expects the task to fail, with the error as its answer', async () => {
    const c = makeCase({
      turns: [
        { plan: { version: 1, nodes: [{ id: 'x', call: 'always_fails', args: {} }], final: true } },
      ],
      maxReplans: 0,
      expect: { status: 'failed' },
    });
    const result = await runCase(c);
    expect(result.failures).toEqual([]);
    expect(result.status).toBe('failed');
    // The report shows the error where the answer would be...
    expect(result.answer).toMatch(/decommissioned/);
    // ...but answer expectations see the loop's answer, which a failed task does not have.
    const checked = await runCase(
      makeCase({
        turns: [
          {
            plan: { version: 1, nodes: [{ id: 'x', call: 'always_fails', args: {} }], final: true },
          },
        ],
        maxReplans: 0,
        expect: { status: 'failed', answer: { contains: 'decommissioned' } },
      }),
    );
    expect(checked.failures).toEqual(['no answer was given']);
  });

  it('suspends on a call that needs approval, and runs it when the case approves it', async () => {
    const plan = {
      version: 1,
      nodes: [
        {
          id: 'mail',
          call: 'send_email',
          approval: true,
          args: { to: 'grace@example.com', subject: 'Shipped', body: 'Your order shipped.' },
        },
      ],
    };
    const suspended = await runCase(
      makeCase({ turns: [{ plan }], expect: { status: 'suspended', calls: [], exactCalls: true } }),
    );
    expect(suspended.failures).toEqual([]);
    expect(suspended.status).toBe('suspended');
    expect(suspended.traces[0]!.spans[0]).toMatchObject({ key: 'mail', status: 'waiting' });

    const approved = await runCase(
      makeCase({
        turns: [{ plan }, { text: 'Emailed grace@example.com.' }],
        approve: ['send_email'],
        expect: { answer: { contains: 'emailed' }, maxLlmCalls: 2 },
      }),
    );
    expect(approved.failures).toEqual([]);
    expect(approved.toolCalls.map((t) => t.name)).toEqual(['send_email']);

    // Approving other tools denies this one: the call never runs and the task fails.
    const denied = await runCase(
      makeCase({
        turns: [{ plan }],
        approve: ['delete_everything'],
        maxReplans: 0,
        expect: { status: 'failed', calls: [], exactCalls: true },
      }),
    );
    expect(denied.failures).toEqual([]);
    expect(denied.answer).toMatch(/ApprovalDenied|denied/i);
  });
});

describe('runCase: each way a case fails', () => {
  it('a wrong answer', async () => {
    const result = await runCase(makeCase({ expect: { answer: { equals: 'Grace' } } }));
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual(['answer "Ada" does not equal "Grace"']);
    // Everything else about the run is still reported.
    expect(result.status).toBe('answered');
    expect(result.traces).toHaveLength(1);
  });

  it('an expected call that was not made, and a call beyond exactCalls', async () => {
    const missing = await runCase(
      makeCase({ expect: { calls: [{ name: 'get_orders', args: { user_id: ['u1'] } }] } }),
    );
    expect(missing.failures).toEqual(['expected a call of get_orders; calls made: get_user']);
    const extra = await runCase(makeCase({ expect: { calls: [], exactCalls: true } }));
    expect(extra.failures).toEqual(['unexpected calls: get_user']);
    const wrongValue = await runCase(
      makeCase({ expect: { calls: [{ name: 'get_user', args: { user_id: ['u2'] } }] } }),
    );
    expect(wrongValue.failures).toEqual([
      'no call of get_user matched: get_user: argument "user_id" is "u1", expected one of ["u2"]',
    ]);
  });

  it('more LLM calls than allowed', async () => {
    const result = await runCase(makeCase({ expect: { maxLlmCalls: 0 } }));
    expect(result.failures).toEqual(['1 LLM calls, at most 0 expected']);
  });

  it('a makespan too far above the critical path', async () => {
    const c = makeCase({
      toolOptions: { latencyMs: 10 },
      turns: [
        {
          plan: {
            version: 1,
            nodes: [
              { id: 'a', call: 'get_user', args: { user_id: 'u1' } },
              { id: 'b', wait_ms: 40, after: ['a'] },
            ],
            output: '${a.name}',
            final: true,
          },
        },
      ],
      // No scheduler reaches a ratio below 1: this bound must fail whatever the timing.
      expect: { answer: { equals: 'Ada' }, maxMakespanRatio: 0.5 },
    });
    const result = await runCase(c);
    expect(result.ratio).toBeGreaterThanOrEqual(1);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatch(
      /^makespan is \d+\.\d\dx the critical path, at most 0\.5x expected$/,
    );
  });

  it('a recorded response the run never asked for', async () => {
    const result = await runCase(
      makeCase({ turns: [{ plan: userPlan }, { text: 'unused' }, { text: 'also' }] }),
    );
    expect(result.status).toBe('answered');
    expect(result.failures).toEqual(['2 recorded LLM response(s) were never asked for']);
  });

  it('a run that asks the LLM more than the cassette holds', async () => {
    const c = makeCase({
      turns: [
        {
          plan: {
            version: 1,
            nodes: [{ id: 'user', call: 'get_user', args: { user_id: 'u1' } }],
            output: '${user}',
          },
        },
      ],
    });
    const result = await runCase(c);
    expect(result.passed).toBe(false);
    expect(result.status).toBe('failed');
    expect(result.failures.join('\n')).toMatch(/status is failed, expected answered/);
    expect(result.failures.join('\n')).toMatch(/the task failed: .*already used/s);
  });

  it('a task that fails when the case expects an answer', async () => {
    const c = makeCase({
      turns: [
        { plan: { version: 1, nodes: [{ id: 'x', call: 'always_fails', args: {} }], final: true } },
      ],
      maxReplans: 0,
    });
    const result = await runCase(c);
    expect(result.status).toBe('failed');
    expect(result.failures[0]).toBe('status is failed, expected answered');
    expect(result.failures.at(-1)).toMatch(/^the task failed: \w+: .*decommissioned/);
  });

  it('a missing cassette: a failed case naming it, not a crash', async () => {
    const c = makeCase({ noCassette: true });
    const result = await runCase(c);
    expect(result).toMatchObject({ passed: false, status: 'error', answer: undefined, traces: [] });
    expect(result.failures).toEqual([
      expect.stringMatching(/^ConfigError: cassette .*cassette\.json cannot be read/),
    ]);
    expect(result.failures[0]).toContain(c.cassettePath);
  });

  it('a tools module that cannot be loaded', async () => {
    const result = await runCase(makeCase({ tools: './no-such-tools.ts' }));
    expect(result.passed).toBe(false);
    expect(result.status).toBe('error');
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatch(/no-such-tools/);
  });

  it('a loop that throws: a failed case with the reason', async () => {
    const result = await runCase(makeCase(), {
      runTask: async () => {
        throw new RangeError('loop exploded');
      },
    });
    expect(result.failures).toEqual(['RangeError: loop exploded']);
    expect(result.status).toBe('error');
  });

  it('passes the signal through to the loop', async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    await runCase(makeCase(), {
      signal: controller.signal,
      runTask: async (_task, options) => {
        seen = options.signal;
        throw new Error('stop');
      },
    });
    expect(seen).toBe(controller.signal);
  });
});

describe('runCase --record', () => {
  it('re-records a case against a live provider without its key, and the new cassette replays', async () => {
    const c = makeCase();
    // The "live provider": a real HTTP server answering from the hand-written cassette.
    const server = await useWireServer({
      handler: handlerFromFetch(createReplayFetch({ cassette: readCassette(c.cassettePath) })),
    });
    const key = 'sk-live-recording-key-0123456789';
    const recorded = await runCase(c, {
      record: { env: { OPENAI_API_KEY: key, OPENAI_BASE_URL: `${server.origin}/v1` } },
    });
    expect(recorded.failures).toEqual([]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${key}`);

    const text = readFileSync(c.cassettePath, 'utf8');
    expect(text).not.toContain(key);
    const cassette = readCassette(c.cassettePath);
    expect(cassette.note).toBe('Recorded from openai gpt-4.1-mini by toolplan eval --record.');
    expect(cassette.interactions).toHaveLength(1);
    // Unlike the hand-written one, the recording holds the real request body, which now must match.
    const body = cassette.interactions[0]!.request.body as { model: string; messages: unknown[] };
    expect(body.model).toBe('gpt-4.1-mini');
    expect(JSON.stringify(body.messages)).toContain('Who is user u1?');

    const replayed = await runCase(loadCase(c.dir));
    expect(replayed.failures).toEqual([]);
    expect(replayed.answer).toBe('Ada');

    // A different task no longer matches the recorded body.
    const changed = { ...loadCase(c.dir), task: 'Who is user u2?' };
    const miss = await runCase(changed);
    expect(miss.passed).toBe(false);
    expect(miss.failures.join('\n')).toMatch(/has no recording for POST \/v1\/chat\/completions/);
  });
});

describe('runSuite', () => {
  it('runs every case under a folder, results in case order, progress as each finishes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'toolplan-suite-'));
    makeCase({ root, name: 'c-wrong', expect: { answer: { equals: 'nobody' } } });
    makeCase({ root, name: 'a-right' });
    makeCase({ root, name: 'b-broken', noCassette: true });
    const cases = loadCases(root);
    expect(cases.map((c) => c.name)).toEqual(['a-right', 'b-broken', 'c-wrong']);
    const progress: [string, number, number][] = [];
    const suite = await runSuite(cases, {
      concurrency: 2,
      onCase: (r, done, total) => progress.push([r.name, done, total]),
    });
    expect(suite.cases.map((c) => [c.name, c.passed])).toEqual([
      ['a-right', true],
      ['b-broken', false],
      ['c-wrong', false],
    ]);
    expect([suite.passed, suite.failed]).toEqual([1, 2]);
    expect(progress.map(([, done, total]) => [done, total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(progress.map(([name]) => name).sort()).toEqual(['a-right', 'b-broken', 'c-wrong']);
  });

  it('stops before running anything when a case.json is bad', () => {
    const root = mkdtempSync(join(tmpdir(), 'toolplan-suite-'));
    makeCase({ root, name: 'good' });
    mkdirSync(join(root, 'bad'));
    writeFileSync(join(root, 'bad', 'case.json'), '{"name": "bad"}');
    expect(() => loadCases(root)).toThrow(/bad\/case\.json: field/);
  });

  it('handles an empty list', async () => {
    const suite = await runSuite([]);
    expect(suite).toMatchObject({ cases: [], passed: 0, failed: 0 });
  });
});
