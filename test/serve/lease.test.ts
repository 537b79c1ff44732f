import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileJournalStore } from '../../src/exec/file-journal-store.ts';
import { thisProcess } from '../../src/exec/journal-lease.ts';
import { type HeldLease, holdLease } from '../../src/exec/lease-keeper.ts';
import { runCli } from '../support/run-cli.ts';
import { call, readSse, TOOLS_MODULE, tempDir, until } from './support/serve-client.ts';
import { type ServeProcess, startServeProcess } from './support/serve-process.ts';

/**
 * serve holds a run's lease while it runs it: a run this test holds (as a `toolplan resume`
 * in progress would) is left alone by a serve process, and approving it answers 409.
 */
const dirs: string[] = [];
const procs: ServeProcess[] = [];
const leases: HeldLease[] = [];
const stores: FileJournalStore[] = [];

afterEach(async () => {
  for (const l of leases.splice(0)) await l.release().catch(() => {});
  for (const s of stores.splice(0)) await s.closeAll().catch(() => {});
  for (const p of procs.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dir = tempDir();
  dirs.push(dir);
  const journal = join(dir, 'journal');
  const log = join(dir, 'log');
  const start = async () => {
    const p = await startServeProcess(['--tools', TOOLS_MODULE, '--journal', journal], {
      SERVE_LOG: log,
    });
    procs.push(p);
    return p;
  };
  const hold = async (runId: string) => {
    const store = new FileJournalStore(journal);
    stores.push(store);
    const held = await holdLease(store, runId, thisProcess('lease test'));
    leases.push(held);
    return { store, held };
  };
  const lines = () => readFileSync(log, 'utf8').trim().split('\n');
  return { start, hold, lines, journal };
}

describe('serve and the run lease', () => {
  it('does not resume on start an interrupted run another process holds, and takes it once that process lets go', async () => {
    const { start, hold, lines } = setup();
    const first = await start();
    const plan = {
      version: 1,
      nodes: [
        { id: 'a', call: 'wait', args: { ms: 10, label: 'a' } },
        { id: 'b', call: 'wait', args: { ms: 5_000, label: '${a.label}b' } },
      ],
      output: '${b.label}',
    };
    const { body } = await call(first.client, 'POST', '/v1/runs', { plan });
    await readSse(first.client, body.events, {
      stop: (e) => e.event === 'node.started' && e.data.key === 'b',
    });
    first.child.kill('SIGKILL');
    await first.exited;
    const { store, held } = await hold(body.id);
    const second = await start();
    expect(second.stderr()).not.toContain('resumed');
    expect((await call(second.client, 'GET', `/v1/runs/${body.id}`)).body.status).toBe(
      'interrupted',
    );
    expect((await store.read(body.id)).some((e) => e.type === 'run.resumed')).toBe(false);
    expect(lines().filter((l) => l.startsWith('start ab'))).toHaveLength(1);
    // Once the holder is gone, the next start takes the run.
    await held.release();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const third = await start();
    expect(third.stderr()).toContain(`resumed 1 interrupted run(s): ${body.id}`);
    const events = await readSse(third.client, body.events, { timeoutMs: 30_000 });
    expect(events.at(-1)?.data).toMatchObject({ type: 'run.finished', status: 'succeeded' });
    expect(lines().filter((l) => l.startsWith('start ab'))).toHaveLength(2);
  }, 120_000);

  it('answers 409 naming the holder to an approval of a run another process holds, and 202 once it lets go', async () => {
    const { start, hold, lines } = setup();
    const first = await start();
    const plan = {
      version: 1,
      nodes: [{ id: 'tell', call: 'send', args: { to: 'ops', text: 'hi' } }],
      output: '${tell.sent}',
    };
    const { body } = await call(first.client, 'POST', '/v1/runs', { plan });
    await until(async () => {
      const r = (await call(first.client, 'GET', `/v1/runs/${body.id}`)).body;
      return r.status === 'suspended' ? r : undefined;
    });
    const { held } = await hold(body.id);
    const refused = await call(first.client, 'POST', `/v1/runs/${body.id}/approvals`, {
      node: 'tell',
      approved: true,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('run_leased');
    expect(refused.body.error.message).toContain(`pid ${process.pid}`);
    expect(refused.body.error.message).toContain('lease test');
    expect((await call(first.client, 'GET', `/v1/runs/${body.id}`)).body.status).toBe('suspended');
    await held.release();
    const approved = await call(first.client, 'POST', `/v1/runs/${body.id}/approvals`, {
      node: 'tell',
      approved: true,
    });
    expect(approved.status).toBe(202);
    const events = await readSse(first.client, body.events, { timeoutMs: 30_000 });
    expect(events.at(-1)?.data).toMatchObject({
      type: 'run.finished',
      status: 'succeeded',
      output: 'ops',
    });
    expect(lines().filter((l) => l.startsWith('send ops'))).toHaveLength(1);
  }, 120_000);

  it('holds the lease of a run it is running: `toolplan resume` of it exits 1 naming the server, and the run is not touched', async () => {
    const { start, lines, journal } = setup();
    const p = await start();
    const plan = {
      version: 1,
      nodes: [{ id: 'b', call: 'wait', args: { ms: 120_000, label: 'b' } }],
      output: '${b.label}',
    };
    const { body } = await call(p.client, 'POST', '/v1/runs', { plan });
    await readSse(p.client, body.events, {
      stop: (e) => e.event === 'node.started' && e.data.key === 'b',
    });
    const resumed = await runCli(
      ['resume', body.id, '--tools', TOOLS_MODULE, '--journal', journal],
      { timeoutMs: 60_000 },
    );
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toContain(`pid ${p.child.pid}`);
    expect(resumed.stderr).toContain('toolplan serve');
    // The call still runs under the server (long enough for any resume start-up); cancel it.
    expect((await call(p.client, 'POST', `/v1/runs/${body.id}/cancel`)).body.ok).toBe(true);
    const events = await readSse(p.client, body.events, { timeoutMs: 30_000 });
    expect(events.at(-1)?.data).toMatchObject({ type: 'run.finished', status: 'cancelled' });
    expect(events.filter((e) => e.event === 'run.resumed')).toHaveLength(0);
    expect(lines().filter((l) => l.startsWith('start b'))).toHaveLength(1);
  }, 120_000);
});
