import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkExpectations, type Observed } from '../../src/eval/check-case.ts';
import type { CaseExpect } from '../../src/eval/eval-case.ts';

const seen = (over: Partial<Observed> = {}): Observed => ({
  status: 'answered',
  answer: 'Ada spent 42.50 dollars in 3 orders',
  llmCalls: 1,
  toolCalls: [
    { name: 'get_user', args: { user_id: 'u1' } },
    { name: 'get_orders', args: { user_id: 'u1', status: 'all' } },
  ],
  ratio: 1.2,
  ...over,
});

describe('status', () => {
  it('defaults to "answered": any other status fails', () => {
    expect(checkExpectations({}, seen())).toEqual([]);
    expect(checkExpectations({}, seen({ status: 'failed' }))).toEqual([
      'status is failed, expected answered',
    ]);
    expect(checkExpectations({}, seen({ status: 'suspended' }))).toEqual([
      'status is suspended, expected answered',
    ]);
  });

  it('a case that means to fail or suspend says so, and then an answer fails it', () => {
    expect(checkExpectations({ status: 'failed' }, seen({ status: 'failed' }))).toEqual([]);
    expect(checkExpectations({ status: 'suspended' }, seen({ status: 'suspended' }))).toEqual([]);
    expect(checkExpectations({ status: 'failed' }, seen())).toEqual([
      'status is answered, expected failed',
    ]);
  });
});

describe('answer', () => {
  it('fails with "no answer was given" whatever the expectation, when there is none', () => {
    for (const answer of [{ equals: 'x' }, { contains: 'x' }, { matches: 'x' }]) {
      expect(checkExpectations({ answer }, seen({ answer: undefined }))).toEqual([
        'no answer was given',
      ]);
    }
  });

  it('equals: text compared after trimming, exactly otherwise', () => {
    expect(checkExpectations({ answer: { equals: '  42 ' } }, seen({ answer: '42\n' }))).toEqual(
      [],
    );
    expect(checkExpectations({ answer: { equals: '42' } }, seen({ answer: '42.0' }))).toEqual([
      'answer "42.0" does not equal "42"',
    ]);
    // Case matters for equals (contains and matches ignore it).
    expect(checkExpectations({ answer: { equals: 'Ada' } }, seen({ answer: 'ada' }))).toHaveLength(
      1,
    );
  });

  it('equals: structured values compared as data, whatever the key order', () => {
    const expectJson: CaseExpect = {
      answer: { equals: { total: 42.5, items: [1, { b: 2, a: 1 }] } },
    };
    expect(
      checkExpectations(expectJson, seen({ answer: '{"items":[1,{"a":1,"b":2}],"total":42.5}' })),
    ).toEqual([]);
    expect(
      checkExpectations(expectJson, seen({ answer: '{"items":[{"a":1,"b":2},1],"total":42.5}' })),
    ).toEqual([
      'answer "{\\"items\\":[{\\"a\\":1,\\"b\\":2},1],\\"total\\":42.5}" does not equal {"total":42.5,"items":[1,{"b":2,"a":1}]}',
    ]);
    // An answer that is not JSON cannot equal a structured value.
    expect(checkExpectations(expectJson, seen({ answer: 'total 42.5' }))).toHaveLength(1);
    expect(checkExpectations({ answer: { equals: 3 } }, seen({ answer: '3' }))).toEqual([]);
    expect(
      checkExpectations({ answer: { equals: [1, 2] } }, seen({ answer: '[2,1]' })),
    ).toHaveLength(1);
    expect(checkExpectations({ answer: { equals: null } }, seen({ answer: 'null' }))).toEqual([]);
  });

  it('contains: every needle, case-insensitively, one failure per missing needle', () => {
    const answer = 'Paris is warmer than London';
    expect(checkExpectations({ answer: { contains: 'paris' } }, seen({ answer }))).toEqual([]);
    expect(
      checkExpectations({ answer: { contains: ['PARIS', 'london'] } }, seen({ answer })),
    ).toEqual([]);
    expect(
      checkExpectations({ answer: { contains: ['Paris', 'Oslo', 'Rome'] } }, seen({ answer })),
    ).toEqual([
      'answer "Paris is warmer than London" does not contain "Oslo"',
      'answer "Paris is warmer than London" does not contain "Rome"',
    ]);
  });

  it('matches: a case-insensitive regular expression', () => {
    const expectMatch: CaseExpect = { answer: { matches: '^ada spent [0-9.]+ dollars' } };
    expect(checkExpectations(expectMatch, seen())).toEqual([]);
    expect(checkExpectations(expectMatch, seen({ answer: 'Bob spent 1 dollars' }))).toEqual([
      'answer "Bob spent 1 dollars" does not match /^ada spent [0-9.]+ dollars/i',
    ]);
  });

  it('checks equals, contains and matches together, reporting each that fails', () => {
    const failures = checkExpectations(
      { answer: { equals: 'no', contains: ['yes', 'maybe'], matches: '^x' } },
      seen({ answer: 'maybe' }),
    );
    expect(failures).toEqual([
      'answer "maybe" does not equal "no"',
      'answer "maybe" does not contain "yes"',
      'answer "maybe" does not match /^x/i',
    ]);
  });

  it('shortens a long answer in the message to 200 characters', () => {
    const answer = 'z'.repeat(500);
    const [failure] = checkExpectations({ answer: { contains: 'needle' } }, seen({ answer }));
    expect(failure).toBe(`answer "${'z'.repeat(197)}..." does not contain "needle"`);
  });
});

describe('calls', () => {
  it('passes when each expected call matches a distinct call with an accepted value', () => {
    const expectCalls: CaseExpect = {
      calls: [
        { name: 'get_orders', args: { user_id: ['u1', 'U-1'], status: ['all', ''] } },
        { name: 'get_user', args: { user_id: ['u2', 'u1'] } },
      ],
    };
    expect(checkExpectations(expectCalls, seen())).toEqual([]);
  });

  it('fails on a value outside the accepted ones, naming the argument and the values', () => {
    expect(
      checkExpectations({ calls: [{ name: 'get_user', args: { user_id: ['u2', 'u3'] } }] }, seen()),
    ).toEqual([
      'no call of get_user matched: get_user: argument "user_id" is "u1", expected one of ["u2","u3"]',
    ]);
  });

  it('fails on a missing call, a missing argument and an unexpected argument', () => {
    expect(checkExpectations({ calls: [{ name: 'ship', args: {} }] }, seen())).toEqual([
      'expected a call of ship; calls made: get_user, get_orders',
    ]);
    expect(
      checkExpectations(
        { calls: [{ name: 'get_user', args: { user_id: ['u1'], verbose: [true] } }] },
        seen(),
      ),
    ).toEqual(['no call of get_user matched: get_user: missing required argument "verbose"']);
    expect(
      checkExpectations({ calls: [{ name: 'get_orders', args: { user_id: ['u1'] } }] }, seen()),
    ).toEqual(['no call of get_orders matched: get_orders: unexpected argument "status"']);
  });

  it('accepts any value for arguments listed in `any`', () => {
    expect(
      checkExpectations(
        { calls: [{ name: 'get_orders', args: { user_id: ['u1'] }, any: ['status'] }] },
        seen(),
      ),
    ).toEqual([]);
  });

  it('needs a distinct call for each expected call', () => {
    const twice: CaseExpect = {
      calls: [
        { name: 'get_user', args: { user_id: ['u1'] } },
        { name: 'get_user', args: { user_id: ['u1'] } },
      ],
    };
    expect(checkExpectations(twice, seen())).toEqual([
      'no call of get_user matched: each fitting call of get_user already matched another expected call (1 made)',
    ]);
  });

  it('exactCalls: a call beyond the expected ones fails; without it, extras are fine', () => {
    const one: CaseExpect = { calls: [{ name: 'get_user', args: { user_id: ['u1'] } }] };
    expect(checkExpectations(one, seen())).toEqual([]);
    expect(checkExpectations({ ...one, exactCalls: false }, seen())).toEqual([]);
    expect(checkExpectations({ ...one, exactCalls: true }, seen())).toEqual([
      'unexpected calls: get_orders',
    ]);
    expect(checkExpectations({ calls: [], exactCalls: true }, seen({ toolCalls: [] }))).toEqual([]);
  });

  it('exactCalls without `calls` checks nothing', () => {
    expect(checkExpectations({ exactCalls: true }, seen())).toEqual([]);
  });
});

describe('maxLlmCalls', () => {
  it('fails only above the limit', () => {
    expect(checkExpectations({ maxLlmCalls: 2 }, seen({ llmCalls: 2 }))).toEqual([]);
    expect(checkExpectations({ maxLlmCalls: 2 }, seen({ llmCalls: 3 }))).toEqual([
      '3 LLM calls, at most 2 expected',
    ]);
    expect(checkExpectations({ maxLlmCalls: 0 }, seen({ llmCalls: 1 }))).toEqual([
      '1 LLM calls, at most 0 expected',
    ]);
  });
});

describe('maxMakespanRatio', () => {
  it('fails only above the limit, showing the ratio to two places', () => {
    expect(checkExpectations({ maxMakespanRatio: 1.5 }, seen({ ratio: 1.5 }))).toEqual([]);
    expect(checkExpectations({ maxMakespanRatio: 1.5 }, seen({ ratio: 2.345 }))).toEqual([
      'makespan is 2.35x the critical path, at most 1.5x expected',
    ]);
  });

  it('passes when no ratio was measured (nothing took measurable time)', () => {
    expect(checkExpectations({ maxMakespanRatio: 1 }, seen({ ratio: undefined }))).toEqual([]);
  });
});

describe('all together', () => {
  it('lists every failure, in a stable order: status, answer, calls, LLM calls, ratio', () => {
    const failures = checkExpectations(
      {
        status: 'answered',
        answer: { contains: 'Oslo' },
        calls: [{ name: 'ship', args: {} }],
        maxLlmCalls: 1,
        maxMakespanRatio: 1.1,
      },
      seen({ status: 'failed', llmCalls: 4, ratio: 3 }),
    );
    expect(failures.map((f) => f.split(' ')[0])).toEqual([
      'status',
      'answer',
      'expected',
      '4',
      'makespan',
    ]);
    expect(failures).toHaveLength(5);
  });

  it('an empty expectation passes any answered run (property)', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string(), { nil: undefined }),
        fc.nat(),
        fc.option(fc.double({ min: 0, noNaN: true }), { nil: undefined }),
        (answer, llmCalls, ratio) => {
          expect(checkExpectations({}, seen({ answer, llmCalls, ratio }))).toEqual([]);
        },
      ),
    );
  });

  it('contains passes exactly when the lower-cased answer includes the needle (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (answer, needle) => {
        const failures = checkExpectations({ answer: { contains: needle } }, seen({ answer }));
        expect(failures.length === 0).toBe(answer.toLowerCase().includes(needle.toLowerCase()));
      }),
    );
  });
});
