import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJobs } from '../../tools/index.ts';
import { call, ctx } from './helpers.ts';

/** What a plan's `loop` with `while: st.state != 'done'` does, bounded by max_iterations. */
async function pollUntilFinished(tools: ReturnType<typeof createJobs>['tools'], job: string) {
  const states: string[] = [];
  for (let i = 0; i < 30; i++) {
    const st = await call(tools, 'job_status', { job });
    states.push(st.state);
    if (st.state === 'done' || st.state === 'failed') return { states, last: st };
  }
  throw new Error(`job ${job} never finished: ${states.join(', ')}`);
}

describe('job queue', () => {
  it('job j1 exists from the start and is done on the 4th status call', async () => {
    const { tools } = createJobs();
    const { states, last } = await pollUntilFinished(tools, 'j1');
    expect(states).toEqual(['queued', 'running', 'running', 'done']);
    expect(last).toMatchObject({ job: 'j1', progress: 100, error: null });
    expect(last.result).toMatchObject({ rows: 42 });
    expect((await call(tools, 'job_status', { job: 'j1' })).state).toBe('done');
  });

  it('terminates after exactly statusCallsToFinish polls', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 12 }), async (n) => {
        const { tools } = createJobs({ statusCallsToFinish: n });
        const { job_id } = await call(tools, 'submit_job', { kind: 'export' });
        const { states } = await pollUntilFinished(tools, job_id);
        expect(states).toHaveLength(n);
        expect(states[0]).toBe('queued');
        expect(states.at(-1)).toBe('done');
        expect(states.slice(1, -1).every((s) => s === 'running')).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  it('progress never goes down', async () => {
    const { tools } = createJobs({ statusCallsToFinish: 6 });
    const seen: number[] = [];
    for (let i = 0; i < 8; i++)
      seen.push((await call(tools, 'job_status', { job: 'j1' })).progress);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(100);
  });

  it('a failing kind ends "failed" with an error and no result', async () => {
    const { tools } = createJobs();
    const { job_id } = await call(tools, 'submit_job', { kind: 'fail' });
    const { states, last } = await pollUntilFinished(tools, job_id);
    expect(states.at(-1)).toBe('failed');
    expect(last.result).toBeNull();
    expect(last.error).toMatch(/failed/);
  });

  it('jobs advance independently, and unknown ids name the known ones', async () => {
    const { tools } = createJobs();
    const a = await call(tools, 'submit_job', { kind: 'a' });
    const b = await call(tools, 'submit_job', { kind: 'b' });
    expect([a.job_id, b.job_id]).toEqual(['j2', 'j3']);
    await call(tools, 'job_status', { job: 'j2' });
    expect((await call(tools, 'job_status', { job: 'j3' })).state).toBe('queued');
    await expect(
      tools.find((t) => t.name === 'job_status')!.execute({ job: 'j99' }, ctx()),
    ).rejects.toThrow(/unknown job "j99"; known jobs: j1, j2, j3/);
  });
});
