import { describe, expect, it } from 'vitest';
import { baseline, checkKillPoint } from '../support/exec-kill-harness.ts';

/**
 * Real child processes, killed with SIGKILL at chosen points, then resumed. A handful of
 * kill points here; `resume-kill.slow.test.ts` runs every point in both modes.
 */

describe('kill -9 and resume (real child processes)', () => {
  it('resumes to the uninterrupted output at several kill points', async () => {
    const base = await baseline();
    expect(base.result.status).toBe('succeeded');
    const total = base.log.length;
    expect(total).toBe(12);
    for (const [k, mode] of [
      [1, 'during'],
      [5, 'during'],
      [8, 'after'],
      [12, 'during'],
    ] as const) {
      await checkKillPoint(k, mode, base.result.output, total);
    }
  }, 60_000);
});
