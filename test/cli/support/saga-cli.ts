// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
/**
 * What the Ctrl-C-while-compensating tests of `run` and `chat` share: the saga plan (two
 * charges, each refunded, then a failure), a cassette whose plan is it, `bin/toolplan` as a
 * child that gets its Ctrl-Cs once a refund has begun, and the refunds it applied.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { createCassette, openaiInteraction } from '../../../src/record/author.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
export const BIN = join(ROOT, 'bin/toolplan');
export const SAGA_TOOLS = join(ROOT, 'test/cli/support/saga-tools-module.ts');

/** A `charge` call whose compensation refunds it. */
export const charged = (id: string, amount: number, after?: string) => ({
  id,
  call: 'charge',
  args: { amount },
  ...(after ? { after: [after] } : {}),
  compensate: { call: 'refund', args: { id: `\${${id}.id}` } },
});

export const sagaPlan = {
  version: 1,
  nodes: [
    charged('c1', 1),
    charged('c2', 2, 'c1'),
    { id: 'boom', after: ['c2'], call: 'fail', args: {} },
  ],
};

/** A cassette in `dir` whose LLM submits the saga plan, then answers. */
export function sagaCassette(dir: string, name: string): string {
  const cassette = join(dir, `${name}.json`);
  writeFileSync(
    cassette,
    JSON.stringify(
      createCassette([
        openaiInteraction({ stream: true, toolCalls: [{ name: 'submit_plan', args: sagaPlan }] }),
        openaiInteraction({ stream: true, text: 'The charges were refunded.' }),
      ]),
    ),
  );
  return cassette;
}

export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (/^(OPENAI_|ANTHROPIC_|TOOLPLAN_)/.test(key) && key !== 'TOOLPLAN_FROM_SOURCE')
      delete env[key];
  return { ...env, ...extra };
}

export const lines = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

export interface ChildResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/**
 * bin/toolplan as a child in `cwd`, `stdin` its input; Ctrl-C `sigints` times once a refund
 * has begun (its tools log to `log`).
 */
export function toolplanWithCtrlC(
  cwd: string,
  args: string[],
  log: string,
  sigints = 0,
  stdin = '',
): Promise<ChildResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: cleanEnv({ TOOL_LOG: log, REFUND_MS: '400' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end(stdin);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timers: NodeJS.Timeout[] = [];
    if (sigints > 0) {
      // Each Ctrl-C after the first waits for the answer to the one before: two signals
      // sent at once on a loaded machine can reach the child as one (they are not queued).
      let sent = 0;
      const answered = () => stderr.match(/toolplan: (compensating|stopping|cancelling)/g);
      const poll = setInterval(() => {
        if (!lines(log).some((l) => l.startsWith('refund-start|'))) return;
        if (sent > (answered()?.length ?? 0)) return;
        sent += 1;
        child.kill('SIGINT');
        if (sent === sigints) clearInterval(poll);
      }, 5);
      timers.push(poll);
    }
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      for (const t of timers) clearTimeout(t);
      done({ code, signal, stdout, stderr });
    });
  });
}

/** Refunds applied, by idempotency key; each key must be applied once. */
export function refunds(log: string): string[] {
  const applied = lines(log).filter((l) => l.startsWith('refund|'));
  expect(new Set(applied).size).toBe(applied.length);
  return applied.map((l) => l.split('|')[1]!.replace(/^[^/]+\//, '')).sort();
}
