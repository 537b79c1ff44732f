import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFromOptions } from '../../src/cli/loop-support.ts';
import { buildCassette } from '../../src/eval/cassette-builder.ts';
import { type RunningServer, startServer } from '../../src/serve/server.ts';
import { loadRegistry } from '../../src/tool/load-tools-module.ts';
import { type Client, call, until } from '../serve/support/serve-client.ts';
import { Fleet, REMOTE_TOOLS } from './support/fleet.ts';

let fleet: Fleet;
let server: RunningServer;
let c: Client;

beforeAll(async () => {
  fleet = await Fleet.start();
  await fleet.worker();
  const cassette = join(fleet.dir, 'cassette.json');
  const plan = {
    version: 1,
    goal: 'square two numbers',
    nodes: [
      { id: 'a', call: 'slow_square', args: { n: 3, ms: 10 } },
      { id: 'b', call: 'slow_square', args: { n: 4, ms: 10 } },
    ],
    output: '${a.sq + b.sq}',
  };
  writeFileSync(
    cassette,
    JSON.stringify(buildCassette('openai', [{ plan }, { text: 'The sum is 25.' }])),
  );
  // In this process, where the tools module writes no marks: a marked call ran on a worker.
  server = await startServer({
    tools: await loadRegistry([REMOTE_TOOLS]),
    model: () => modelFromOptions({ cassette }),
    journalDir: join(fleet.dir, 'journal'),
    port: 0,
    token: 'redis-task-token',
    redis: { url: fleet.url },
  });
  c = { base: server.url, token: server.token };
}, 60_000);
afterAll(async () => {
  await server?.drain(1000);
  await fleet?.stop();
});

describe('serve --redis: an LLM task', () => {
  it("sends its plan's calls to the workers: the server runs no tool itself", async () => {
    expect(process.env.TOOLPLAN_MARKS).toBeUndefined();
    const r = await call(c, 'POST', '/v1/tasks', { message: 'What is 3² + 4²?' });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const task = await until(async () => {
      const t = await call(c, 'GET', `/v1/tasks/${r.body.id}`);
      return t.body.status === 'running' ? undefined : t.body;
    }, 60_000);
    expect(task).toMatchObject({ status: 'succeeded', answer: 'The sum is 25.' });
    const finished = fleet.calls().lines.filter((l) => l[0] === 'finish');
    expect(finished).toHaveLength(2);
    for (const l of finished) expect(l[2]).not.toBe(String(process.pid));
  }, 90_000);
});
