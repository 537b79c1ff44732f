// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCassette, openaiInteraction } from '../../src/record/author.ts';
import { readCassette } from '../../src/record/cassette.ts';
import { openaiChatStream } from '../../src/record/wire-formats.ts';
import { startWireServer } from '../../src/record/wire-server.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/toolplan');
const TOOLS = join(ROOT, 'test/loop/support/tools-module.ts');
const dir = mkdtempSync(join(tmpdir(), 'toolplan-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(OPENAI_|ANTHROPIC_|TOOLPLAN_)/.test(key) && key !== 'TOOLPLAN_FROM_SOURCE')
      delete env[key];
  }
  return env;
}

/** Runs bin/toolplan as a real child process, from an empty directory (no .env). */
function toolplan(
  args: string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: { ...cleanEnv(), ...options.env },
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const plan = {
  version: 1,
  nodes: [
    { id: 'o1', call: 'get_orders', args: { user_id: 'u1' } },
    { id: 'o2', call: 'get_orders', args: { user_id: 'u2' } },
    { id: 'total', call: 'calculate_total', args: { orders: '${o1 + o2}' } },
  ],
  output: 'u1 and u2 spent ${total.total}',
  final: true,
};

describe('toolplan run (child process)', () => {
  it('with no key, no base URL and no cassette: exit 2 naming the variables, no stack trace', async () => {
    const r = await toolplan(['run', 'what did u1 spend?', '--tools', TOOLS]);
    expect(r.code).toBe(2);
    for (const name of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'OPENAI_BASE_URL'])
      expect(r.stderr).toContain(name);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('--cassette replays with no network and no key: the answer on stdout, progress on stderr', async () => {
    const cassette = join(dir, 'fan-out.json');
    writeFileSync(
      cassette,
      JSON.stringify(
        createCassette([
          openaiInteraction({
            stream: true,
            toolCalls: [{ name: 'submit_plan', args: plan }],
            usage: { inputTokens: 900, outputTokens: 80 },
          }),
        ]),
      ),
    );
    const r = await toolplan([
      'run',
      'what did u1 and u2 spend?',
      '--tools',
      TOOLS,
      '--cassette',
      cassette,
    ]);
    expect(r.stderr).toContain('get_orders');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('u1 and u2 spent 35.5\n');
  });

  it('--json writes NDJSON events ending with the answer', async () => {
    const cassette = join(dir, 'react.json');
    writeFileSync(
      cassette,
      JSON.stringify(
        createCassette([
          openaiInteraction({
            stream: true,
            toolCalls: [{ name: 'get_orders', args: { user_id: 'u3' } }],
          }),
          openaiInteraction({ stream: true, text: 'u3 spent 1.25' }),
        ]),
      ),
    );
    const r = await toolplan([
      'run',
      'what did u3 spend?',
      '--tools',
      TOOLS,
      '--cassette',
      cassette,
      '--mode',
      'react',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events[0].type).toBe('task.started');
    expect(events.at(-1)).toMatchObject({ type: 'task.answered', answer: 'u3 spent 1.25' });
  });

  it('a bad option exits 2 with a message', async () => {
    const r = await toolplan([
      'run',
      'x',
      '--tools',
      TOOLS,
      '--mode',
      'nope',
      '--cassette',
      join(dir, 'fan-out.json'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--mode must be one of plan, react');
  });

  it('--cassette F --record records the real exchange (no key written); replaying F gives the same answer', async () => {
    const server = await startWireServer();
    const plan2 = {
      version: 1,
      nodes: [{ id: 'user', call: 'get_user', args: { user_id: 'u2' } }],
    };
    server.enqueue(
      { stream: openaiChatStream({ toolCalls: [{ name: 'submit_plan', args: plan2 }] }) },
      { stream: openaiChatStream({ text: 'u2 is called User u2.' }) },
    );
    const cassette = join(dir, 'recorded.json');
    const task = 'what is the name of u2?';
    try {
      const recorded = await toolplan(
        ['run', task, '--tools', TOOLS, '--cassette', cassette, '--record'],
        {
          env: { OPENAI_BASE_URL: `${server.origin}/v1`, OPENAI_API_KEY: 'sk-secret-test-key' },
        },
      );
      expect(recorded.stderr).not.toContain('Error');
      expect(recorded.code).toBe(0);
      expect(recorded.stdout).toBe('u2 is called User u2.\n');
    } finally {
      await server.close();
    }
    expect(readCassette(cassette).interactions).toHaveLength(2);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(cassette, 'utf8')).not.toContain('sk-secret-test-key');
    // Replay matches the requests on their bodies: the join prompt is byte-for-byte the same.
    const replayed = await toolplan(['run', task, '--tools', TOOLS, '--cassette', cassette]);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toBe('u2 is called User u2.\n');
  });

  it('token counts the server did not report are printed as estimated', async () => {
    const server = await startWireServer();
    // Without the usage chunk (empty `choices`) the adapter counts tokens from characters.
    const noUsage = (events: string[]) => events.filter((e) => !e.includes('"choices":[]'));
    const call = { name: 'submit_plan', args: { version: 1, nodes: [] } };
    server.enqueue(
      { stream: noUsage(openaiChatStream({ toolCalls: [call] })) },
      { stream: openaiChatStream({ text: 'Nothing to do.' }) },
    );
    try {
      const r = await toolplan(['run', 'nothing', '--tools', TOOLS], {
        env: { OPENAI_BASE_URL: `${server.origin}/v1`, OPENAI_API_KEY: 'sk-test' },
      });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(
        /answered: 2 LLM call\(s\), ~\d+ in \/ \d+ out tokens \(estimated\)/,
      );
    } finally {
      await server.close();
    }
  });
});

describe('toolplan chat (child process)', () => {
  it('runs each message with the history and asks approvals in place', async () => {
    const cassette = join(dir, 'chat.json');
    const plan = { version: 1, nodes: [{ id: 'u', call: 'get_user', args: { user_id: 'u1' } }] };
    const evil = {
      version: 1,
      nodes: [{ id: 'd', call: 'delete_everything', args: {} }],
      output: 'deleted',
      final: true,
    };
    writeFileSync(
      cassette,
      JSON.stringify(
        createCassette([
          openaiInteraction({ stream: true, toolCalls: [{ name: 'submit_plan', args: plan }] }),
          openaiInteraction({ stream: true, text: 'u1 is User u1.' }),
          openaiInteraction({ stream: true, toolCalls: [{ name: 'submit_plan', args: evil }] }),
          openaiInteraction({ stream: true, text: 'Nothing was deleted.' }),
        ]),
      ),
    );
    const r = await toolplan(['chat', '--tools', TOOLS, '--cassette', cassette, '--quiet'], {
      stdin: 'who is u1?\ndelete it all\nn\n/exit\n',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('assistant> u1 is User u1.');
    expect(r.stdout).toContain('approve delete_everything {}? [y/N]');
    expect(r.stdout).toContain('assistant> Nothing was deleted.');
  });
});

// Three CLI processes a test: on a loaded 2-core machine that is more than the default 30 s.
describe('toolplan run --resume (child processes)', { timeout: 120_000 }, () => {
  const LOGGED = join(ROOT, 'test/loop/support/logged-tools-module.ts');
  const KEY = 'sk-secret-resume-key-8d1f';
  const gated = {
    version: 1,
    nodes: [
      { id: 'o1', call: 'get_orders', args: { user_id: 'u1' } },
      { id: 'd', call: 'delete_everything', args: {}, after: ['o1'] },
    ],
  };
  const calls = (file: string) =>
    existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
  /** The continuation command `run` printed, as argv for bin/toolplan. */
  const printedCommand = (stderr: string) => {
    const line = stderr.split('\n').find((l) => l.trim().startsWith('toolplan run --resume'));
    expect(line, stderr).toBeDefined();
    return line!.trim().split(/\s+/).slice(1);
  };

  it('suspends (exit 3, task saved without the key); the printed command with --approve answers', async () => {
    const server = await startWireServer();
    const log = join(dir, 'approve-tools.log');
    const env = { OPENAI_BASE_URL: `${server.origin}/v1`, OPENAI_API_KEY: KEY, TOOL_LOG: log };
    try {
      server.enqueue({
        stream: openaiChatStream({ toolCalls: [{ name: 'submit_plan', args: gated }] }),
      });
      const first = await toolplan(
        [
          'run',
          'delete everything, then count u1 orders',
          '--tools',
          LOGGED,
          '--max-llm-calls',
          '2',
        ],
        { env },
      );
      expect(first.code, first.stderr).toBe(3);
      expect(first.stdout).toBe('');
      expect(first.stderr).toContain('waiting for approval: d (delete_everything {})');
      expect(calls(log)).toEqual(['get_orders']);
      const argv = printedCommand(first.stderr);
      expect(argv.slice(0, 2)).toEqual(['run', '--resume']);
      expect(argv).toEqual(expect.arrayContaining(['--approve', 'd', '--tools', LOGGED]));
      const taskId = argv[2]!;
      const file = join(dir, '.toolplan/runs/tasks', `${taskId}.json`);
      const saved = readFileSync(file, 'utf8');
      expect(server.requests[0]!.headers.authorization).toContain(KEY);
      expect(saved).not.toContain(KEY);
      expect(JSON.parse(saved)).toMatchObject({
        status: 'suspended',
        state: { usage: { llmCalls: 1 } },
      });

      server.enqueue({ stream: openaiChatStream({ text: 'Deleted. u1 had 2 orders.' }) });
      const second = await toolplan(argv, { env });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toBe('Deleted. u1 had 2 orders.\n');
      // The approved call ran once; o1 was not run again; 2 LLM calls over both processes.
      expect(calls(log)).toEqual(['get_orders', 'delete_everything']);
      expect(server.requests).toHaveLength(2);
      expect(second.stderr).toContain('answered: 2 LLM call(s)');
      expect(readFileSync(file, 'utf8')).not.toContain(KEY);

      // Done: resuming it again is refused, with no LLM call.
      const third = await toolplan(['run', '--resume', taskId, '--tools', LOGGED], { env });
      expect(third.code).toBe(2);
      expect(third.stderr).toContain('already answered');
      expect(server.requests).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('--deny (replayed from cassettes, no key): the call never runs and the LLM answers', async () => {
    const log = join(dir, 'deny-tools.log');
    const journal = join(dir, 'deny-journal');
    const planned = join(dir, 'deny-plan.json');
    const joined = join(dir, 'deny-join.json');
    writeFileSync(
      planned,
      JSON.stringify(
        createCassette([
          openaiInteraction({ stream: true, toolCalls: [{ name: 'submit_plan', args: gated }] }),
        ]),
      ),
    );
    writeFileSync(
      joined,
      JSON.stringify(
        createCassette([openaiInteraction({ stream: true, text: 'Nothing was deleted.' })]),
      ),
    );
    const env = { TOOL_LOG: log };
    const first = await toolplan(
      ['run', 'delete everything', '--tools', LOGGED, '--cassette', planned, '--journal', journal],
      { env },
    );
    expect(first.code, first.stderr).toBe(3);
    const argv = printedCommand(first.stderr);
    expect(argv).toEqual(expect.arrayContaining(['--journal', journal]));
    const resume = argv.map((word) => (word === '--approve' ? '--deny' : word));
    const second = await toolplan([...resume, '--cassette', joined], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe('Nothing was deleted.\n');
    expect(calls(log)).toEqual(['get_orders']);
  });

  it('an unknown task id, or --approve without --resume: exit 2 with a clear message', async () => {
    const unknown = await toolplan(['run', '--resume', 'task-nope', '--tools', LOGGED]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no task task-nope');
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const stray = await toolplan(['run', 'x', '--tools', LOGGED, '--approve', 'd']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--approve and --deny go with --resume');
    const help = await toolplan(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--resume <taskId>');
    expect(help.stdout).toContain('ApprovalDenied');
  });
});
