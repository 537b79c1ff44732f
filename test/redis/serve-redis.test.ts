import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/exec/events.ts';
import { RedisKeys } from '../../src/redis/redis-keys.ts';
import { call, readSse, tempDir, until } from '../serve/support/serve-client.ts';
import { type ServeProcess, startServeProcess } from '../serve/support/serve-process.ts';
import { runCli } from '../support/run-cli.ts';
import { Fleet, fanOutPlan, REMOTE_TOOLS } from './support/fleet.ts';

/**
 * Several real `serve --redis` processes on one real Redis, with real workers: the runs are
 * shared, whichever server is asked.
 */
let fleet: Fleet;
let a: ServeProcess;
let b: ServeProcess;
const servers: ServeProcess[] = [];

async function startServe(extra: string[] = []): Promise<ServeProcess> {
  const s = await startServeProcess(
    [
      '--tools',
      REMOTE_TOOLS,
      '--redis',
      fleet.url,
      '--journal',
      tempDir('toolplan-serve-redis-'),
      ...extra,
    ],
    { TOOLPLAN_MARKS: fleet.dir, TOOLPLAN_REDIS_LEASE_MS: '2000' },
  );
  servers.push(s);
  return s;
}

beforeAll(async () => {
  fleet = await Fleet.start();
  await Promise.all([0, 1].map(() => fleet.worker(['--queue', 'toolplan', '--queue', 'db'])));
  [a, b] = await Promise.all([startServe(), startServe()]);
}, 120_000);
afterAll(async () => {
  for (const s of servers) s.child.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.exited));
  await fleet?.stop();
});

const startedCalls = (runId: string) =>
  fleet.calls().lines.filter((l) => l[0] === 'start' && l[1]!.startsWith(`${runId}/`)).length;

async function startRun(s: ServeProcess, plan: unknown, input: unknown): Promise<string> {
  const r = await call(s.client, 'POST', '/v1/runs', { plan, input });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body.id as string;
}

const finished = (s: ServeProcess, id: string, ms = 60_000) =>
  until(async () => {
    const r = await call(s.client, 'GET', `/v1/runs/${id}`);
    return r.status === 200 && ['succeeded', 'failed', 'cancelled'].includes(r.body.status)
      ? r.body
      : undefined;
  }, ms);

/** The journal is one writer's story at a time: seq 0..n-1, one start, one end. */
function checkJournal(events: RunEvent[]) {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
  expect(events.filter((e) => e.type === 'run.started')).toHaveLength(1);
  expect(events.filter((e) => e.type === 'run.finished')).toHaveLength(1);
}

describe('serve --redis: runs shared by several servers', () => {
  it('a run started on A completes on the workers; B streams it live and serves its state', async () => {
    const { plan, input, expected } = fanOutPlan(6, 400);
    const id = await startRun(a, plan, input);
    const live = readSse(b.client, `/v1/runs/${id}/events`, {
      stop: (e) => e.event === 'run.finished',
      timeoutMs: 60_000,
    });
    const state = await finished(b, id);
    expect(state).toMatchObject({ id, status: 'succeeded', output: expected });
    const journal = await fleet.store().read(id);
    checkJournal(journal);
    // B's live stream is the journal, in order, nothing lost or doubled.
    const streamed = await live;
    expect(streamed.map((e) => e.id)).toEqual(journal.map((e) => e.seq));
    expect(streamed.at(-1)?.data).toMatchObject({ type: 'run.finished', output: expected });
    // Replayed from a Last-Event-ID on B, and listed by both servers.
    const rest = await readSse(b.client, `/v1/runs/${id}/events`, { lastEventId: 2 });
    expect(rest.map((e) => e.id)).toEqual(journal.slice(3).map((e) => e.seq));
    for (const s of [a, b]) {
      const list = await call(s.client, 'GET', '/v1/runs?kind=run');
      expect(list.body.find((r: { id: string }) => r.id === id)).toMatchObject({
        status: 'succeeded',
      });
    }
    const view = await call(b.client, 'GET', `/v1/runs/${id}/view`);
    expect(view.body.plans).toHaveLength(1);
    // The servers ran no tool: every call was a worker's.
    const pids = new Set(
      fleet
        .calls()
        .lines.filter((l) => l[1]!.startsWith(id))
        .map((l) => l[2]),
    );
    expect(pids.has(String(a.child.pid))).toBe(false);
    expect(pids.has(String(b.child.pid))).toBe(false);
  }, 90_000);

  it('an approval POSTed to B resumes the run A owns', async () => {
    const plan = {
      version: 1,
      nodes: [
        { id: 'p', call: 'pay', args: { amount: 5 } },
        { id: 'who', call: 'db_lookup', args: { id: 'a1' } },
      ],
      output: "${ {'paid': p.paid, 'who': who.name} }",
    };
    const id = await startRun(a, plan, null);
    await until(async () => {
      const r = await call(b.client, 'GET', `/v1/runs/${id}`);
      return r.body?.waiting?.some((w: { node: string }) => w.node === 'p') ? true : undefined;
    });
    expect((await fleet.store().currentLease(id))?.holder.pid).toBe(a.child.pid);
    const wrong = await call(b.client, 'POST', `/v1/runs/${id}/approvals`, {
      node: 'who',
      approved: true,
    });
    expect(wrong.status).toBe(409);
    const r = await call(b.client, 'POST', `/v1/runs/${id}/approvals`, {
      node: 'p',
      approved: true,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const state = await finished(a, id);
    expect(state).toMatchObject({ status: 'succeeded', output: { paid: 5, who: 'name-a1' } });
    const events = await fleet.store().read(id);
    checkJournal(events);
    expect(events.filter((e) => e.type === 'approval.decided')).toMatchObject([
      { key: 'p', approved: true },
    ]);
    // A went on with it: the run never left A's hands.
    expect(a.stderr()).not.toMatch(new RegExp(`took over run ${id}`));
    expect(b.stderr()).not.toMatch(new RegExp(`took over run ${id}`));
  }, 90_000);

  it('a cancel reaches the run through its owner', async () => {
    const { plan, input } = fanOutPlan(2, 30_000);
    const id = await startRun(a, plan, input);
    await until(async () => (startedCalls(id) >= 2 ? true : undefined), 30_000);
    const r = await call(a.client, 'POST', `/v1/runs/${id}/cancel`);
    expect(r.body).toEqual({ ok: true });
    expect(await finished(b, id)).toMatchObject({ status: 'cancelled' });
    const last = (await fleet.store().read(id)).at(-1);
    expect(last).toMatchObject({ type: 'run.finished', status: 'cancelled' });
  }, 90_000);

  it('a cancel POSTed to B cancels the run A owns: A journals it once, nobody takes it over', async () => {
    const { plan, input } = fanOutPlan(2, 30_000);
    const id = await startRun(a, plan, input);
    await until(async () => (startedCalls(id) >= 2 ? true : undefined), 30_000);
    expect((await fleet.store().currentLease(id))?.holder.pid).toBe(a.child.pid);
    const r = await call(b.client, 'POST', `/v1/runs/${id}/cancel`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ ok: true });
    expect(await finished(b, id)).toMatchObject({ status: 'cancelled' });
    const events = await fleet.store().read(id);
    checkJournal(events);
    expect(events.filter((e) => e.type === 'run.finished')).toMatchObject([
      { status: 'cancelled' },
    ]);
    expect(events.filter((e) => e.type === 'run.resumed')).toHaveLength(0);
    expect(b.stderr()).not.toMatch(new RegExp(`took over run ${id}`));
    // The request is spent once the end is journaled.
    const redis = fleet.client();
    await until(async () =>
      (await redis.exists(new RedisKeys().cancelRequest(id))) === 0 ? true : undefined,
    );
  }, 90_000);

  it('SIGKILL A with calls in flight: B takes the run over and completes it, no call repeated', async () => {
    const { plan, input, expected } = fanOutPlan(8, 2500);
    const id = await startRun(a, plan, input);
    await until(async () => (startedCalls(id) >= 8 ? true : undefined), 30_000);
    a.child.kill('SIGKILL');
    await a.exited;
    const state = await finished(b, id, 60_000);
    expect(state).toMatchObject({ status: 'succeeded', output: expected });
    expect(b.stderr()).toMatch(new RegExp(`took over run ${id}`));
    const events = await fleet.store().read(id);
    checkJournal(events);
    expect(events.filter((e) => e.type === 'run.resumed')).toHaveLength(1);
    // Each call started and finished once, under the plan's keys: B waited for A's jobs.
    const { started, finished: done } = fleet.calls();
    const keys = [...done.keys()].filter((k) => k.startsWith(`${id}/`)).sort();
    expect(keys).toEqual(Array.from({ length: 8 }, (_, i) => `${id}/s/${i}`).sort());
    for (const k of keys) {
      expect(done.get(k), k).toBe(1);
      expect(started.get(k), k).toBe(1);
    }
  }, 120_000);

  it('SIGTERM drains a server: its runs are handed over and finished by another server, calls not repeated', async () => {
    const c = await startServe(['--grace-ms', '100']);
    const { plan, input, expected } = fanOutPlan(4, 2000);
    const id = await startRun(c, plan, input);
    await until(async () => (startedCalls(id) >= 4 ? true : undefined), 30_000);
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    expect(c.stderr()).toMatch(/toolplan serve: stopped/);
    const state = await finished(b, id, 60_000);
    expect(state).toMatchObject({ status: 'succeeded', output: expected });
    expect(b.stderr()).toMatch(new RegExp(`took over run ${id}`));
    const events = await fleet.store().read(id);
    checkJournal(events);
    const { started } = fleet.calls();
    for (let i = 0; i < 4; i++) expect(started.get(`${id}/s/${i}`)).toBe(1);
  }, 120_000);

  it('a cancel asked while the owner is dead is found by the server that takes the run over', async () => {
    const d = await startServe();
    const { plan, input } = fanOutPlan(2, 30_000);
    const id = await startRun(d, plan, input);
    await until(async () => (startedCalls(id) >= 2 ? true : undefined), 30_000);
    d.child.kill('SIGKILL');
    await d.exited;
    // D's lease has not expired yet: B records the cancel for whoever takes the run.
    const r = await call(b.client, 'POST', `/v1/runs/${id}/cancel`);
    expect(r.body).toEqual({ ok: true });
    expect(await finished(b, id)).toMatchObject({ status: 'cancelled' });
    expect(b.stderr()).toMatch(new RegExp(`took over run ${id}`));
    const events = await fleet.store().read(id);
    checkJournal(events);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'cancelled' });
  }, 90_000);

  it('`toolplan runs cancel RUN --redis URL` cancels a run a server owns', async () => {
    const { plan, input } = fanOutPlan(2, 30_000);
    const id = await startRun(b, plan, input);
    await until(async () => (startedCalls(id) >= 2 ? true : undefined), 30_000);
    const r = await runCli(['runs', 'cancel', id, '--redis', fleet.url], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`pid ${b.child.pid}`);
    expect(await finished(b, id)).toMatchObject({ status: 'cancelled' });
    const events = await fleet.store().read(id);
    checkJournal(events);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'cancelled' });
    const again = await runCli(['runs', 'cancel', id, '--redis', fleet.url], {
      timeoutMs: 30_000,
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('has already ended (cancelled)');
  }, 90_000);
});
