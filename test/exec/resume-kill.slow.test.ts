import { describe, expect, it } from 'vitest';
import { baseline, checkKillPoint } from '../support/exec-kill-harness.ts';

/** Every kill point, both modes (`npx vitest run test/exec/resume-kill.slow.test.ts`). */
describe('kill -9 and resume at every point (slow)', () => {
  it('resumes correctly after a kill at each of the run’s tool calls', async () => {
    const base = await baseline();
    const trials = Number(process.env.KILL_TRIALS ?? 1);
    for (let t = 0; t < trials; t++)
      for (let k = 1; k <= base.log.length; k++)
        for (const mode of ['during', 'after'] as const)
          await checkKillPoint(k, mode, base.result.output, base.log.length);
    expect(base.log.length).toBe(12);
  }, 600_000);
});
