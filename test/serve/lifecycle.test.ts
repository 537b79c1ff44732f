import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { call, readSse, TOOLS_MODULE, tempDir, until } from './support/serve-client.ts';
import { type ServeProcess, startServeProcess } from './support/serve-process.ts';

/** The server as a real process: killed outright, or asked to stop, and started again. */
const dirs: string[] = [];
const procs: ServeProcess[] = [];

afterEach(() => {
  for (const p of procs.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dir = tempDir();
  dirs.push(dir);
  const log = join(dir, 'log');
  const start = async (extra: string[] = []) => {
    const p = await startServeProcess(
      ['--tools', TOOLS_MODULE, '--journal', join(dir, 'journal'), ...extra],
      { SERVE_LOG: log },
    );
    procs.push(p);
    return p;
  };
  const lines = () => readFileSync(log, 'utf8').trim().split('\n');
  return { start, lines };
}

const plan = (slowMs: number) => ({
  version: 1,
  nodes: [
    { id: 'a', call: 'wait', args: { ms: 20, label: 'a' } },
    { id: 'b', call: 'wait', args: { ms: slowMs, label: '${a.label}b' } },
    { id: 'c', call: 'wait', args: { ms: 20, label: '${b.label}c' } },
  ],
  output: '${c.label}',
});

describe('a server killed with SIGKILL mid-run', () => {
  it('resumes the run on restart: finished calls are not repeated, the in-flight one re-runs with its idempotency key, the run completes', async () => {
    const { start, lines } = setup();
    const first = await start();
    const { body } = await call(first.client, 'POST', '/v1/runs', { plan: plan(5_000) });
    await readSse(first.client, body.events, {
      stop: (e) => e.event === 'node.started' && e.data.key === 'b',
    });
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await start();
    expect(second.stderr()).toContain(`resumed 1 interrupted run(s): ${body.id}`);
    const events = await readSse(second.client, body.events, { timeoutMs: 30_000 });
    expect(events.at(-1)?.data).toMatchObject({
      type: 'run.finished',
      status: 'succeeded',
      output: 'abc',
    });
    expect(events.filter((e) => e.event === 'run.resumed')).toHaveLength(1);
    const log = lines();
    const starts = (label: string) =>
      log.filter((l) => l.split(' ')[0] === 'start' && l.split(' ')[1] === label);
    expect(starts('a')).toHaveLength(1);
    expect(starts('abc')).toHaveLength(1);
    const b = starts('ab');
    expect(b).toHaveLength(2);
    expect(b[0]).toBe(b[1]);
    expect(b[0]).toBe(`start ab ${body.id}/b`);
  }, 60_000);
});

describe('SIGTERM', () => {
  it('drains: refuses new work, lets a running call finish within the grace period, exits 0', async () => {
    const { start } = setup();
    const p = await start(['--grace-ms', '10000']);
    const { body } = await call(p.client, 'POST', '/v1/runs', { plan: plan(800) });
    await readSse(p.client, body.events, {
      stop: (e) => e.event === 'node.started' && e.data.key === 'b',
    });
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.stderr()).toContain('SIGTERM: draining');
    const again = await start();
    expect(again.stderr()).not.toContain('resumed');
    expect((await call(again.client, 'GET', `/v1/runs/${body.id}`)).body).toMatchObject({
      status: 'succeeded',
      output: 'abc',
    });
  }, 60_000);

  it('journals what outlives the grace period as interrupted, and the next start resumes and finishes it', async () => {
    const { start, lines } = setup();
    const p = await start(['--grace-ms', '200']);
    const { body } = await call(p.client, 'POST', '/v1/runs', { plan: plan(1_500) });
    await readSse(p.client, body.events, {
      stop: (e) => e.event === 'node.started' && e.data.key === 'b',
    });
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const again = await start();
    expect(again.stderr()).toContain(`resumed 1 interrupted run(s): ${body.id}`);
    const done = await until(async () => {
      const r = (await call(again.client, 'GET', `/v1/runs/${body.id}`)).body;
      return r.status === 'succeeded' ? r : undefined;
    }, 30_000);
    expect(done.output).toBe('abc');
    expect(lines().filter((l) => l.startsWith('start a '))).toHaveLength(1);
    expect(lines().filter((l) => l.startsWith('done ab '))).toHaveLength(1);
  }, 60_000);
});
