import { describe, expect, it } from 'vitest';
import { RunActivity, shouldSuspend } from '../../src/exec/activity.ts';

describe('the decision to suspend', () => {
  it('suspends only when something waits for a person and nothing else runs', () => {
    const waiting = new Map([['a', {}]]);
    expect(shouldSuspend({ leaves: 0, waiting, stopping: false })).toBe(true);
    expect(shouldSuspend({ leaves: 1, waiting, stopping: false })).toBe(false);
    expect(shouldSuspend({ leaves: 0, waiting: new Map(), stopping: false })).toBe(false);
    expect(shouldSuspend({ leaves: 0, waiting, stopping: true })).toBe(false);
  });

  it('a call that waits stops counting as work; its end of waiting counts it again', () => {
    const a = new RunActivity();
    a.leaves += 2;
    a.wait({ key: 'x', node: 'x', tool: 't', args: {} });
    expect(shouldSuspend({ ...a, leaves: a.leaves, stopping: false })).toBe(false);
    a.leaves -= 1;
    expect(shouldSuspend({ leaves: a.leaves, waiting: a.waiting, stopping: false })).toBe(true);
    a.unwait('x');
    expect(a.leaves).toBe(1);
    expect(a.waiting.size).toBe(0);
  });
});
