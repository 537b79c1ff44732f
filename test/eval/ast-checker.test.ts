import { describe, expect, it } from 'vitest';
import { checkCall, matchCalls, sameValue } from '../../src/eval/ast-checker.ts';

const area = { name: 'area', args: { base: [10], height: [5], unit: ['units', ''] } };

describe('checkCall', () => {
  it('accepts any accepted value and leaves "" arguments optional', () => {
    expect(checkCall({ name: 'area', args: { base: 10, height: 5 } }, area)).toEqual([]);
    expect(checkCall({ name: 'area', args: { base: 10, height: 5, unit: 'Units' } }, area)).toEqual(
      [],
    );
    expect(checkCall({ name: 'area', args: { base: 10.0, height: 5 } }, area)).toEqual([]);
  });

  it('fails a wrong value, a missing required argument, an unexpected one and a wrong name', () => {
    expect(checkCall({ name: 'area', args: { base: 11, height: 5 } }, area)[0]).toMatch(
      /"base" is 11/,
    );
    expect(checkCall({ name: 'area', args: { base: 10 } }, area)[0]).toMatch(
      /missing required argument "height"/,
    );
    expect(
      checkCall({ name: 'area', args: { base: 10, height: 5, color: 'red' } }, area)[0],
    ).toMatch(/unexpected argument "color"/);
    expect(checkCall({ name: 'volume', args: { base: 10, height: 5 } }, area)[0]).toMatch(
      /name volume is not area/,
    );
  });

  it('treats schema-required arguments as required even when "" is accepted', () => {
    expect(checkCall({ name: 'area', args: { base: 10, height: 5 } }, area, ['unit'])[0]).toMatch(
      /"unit"/,
    );
  });

  it('accepts any value for arguments listed in any', () => {
    expect(
      checkCall({ name: 'f', args: { xs: [1, 2] } }, { name: 'f', args: {}, any: ['xs'] }),
    ).toEqual([]);
  });
});

describe('matchCalls', () => {
  const a = { name: 'play', args: { artist: ['Taylor Swift'], duration: [20] } };
  const b = { name: 'play', args: { artist: ['Maroon 5'], duration: [15] } };

  it('is order-insensitive and matches each expected call to a distinct call', () => {
    const calls = [
      { name: 'play', args: { artist: 'Maroon 5', duration: 15 } },
      { name: 'play', args: { artist: 'Taylor Swift', duration: 20 } },
    ];
    expect(matchCalls(calls, [a, b], { exact: true })).toEqual({ ok: true, problems: [] });
    expect(matchCalls([calls[0]!], [b, b]).ok).toBe(false);
  });

  it('in exact mode fails extra calls, and an empty expectation means no call', () => {
    const calls = [{ name: 'play', args: { artist: 'Maroon 5', duration: 15 } }];
    expect(matchCalls(calls, [], { exact: true }).problems[0]).toMatch(/unexpected calls: play/);
    expect(matchCalls(calls, []).ok).toBe(true);
    expect(matchCalls([], [], { exact: true }).ok).toBe(true);
  });

  it('says what was wrong with the closest call', () => {
    const r = matchCalls([{ name: 'play', args: { artist: 'Maroon 5', duration: 16 } }], [b]);
    expect(r.problems[0]).toMatch(/no call of play matched: play: argument "duration" is 16/);
    expect(matchCalls([], [b]).problems[0]).toMatch(
      /expected a call of play; calls made: \(none\)/,
    );
  });
});

describe('sameValue', () => {
  it('compares lists in order and BFCL-style nested objects', () => {
    expect(sameValue([3, 5], [3, 5])).toBe(true);
    expect(sameValue([5, 3], [3, 5])).toBe(false);
    expect(
      sameValue(
        { city: 'Paris', days: 3 },
        { city: ['paris', 'Paris, France'], days: [3], unit: [''] },
      ),
    ).toBe(true);
    expect(sameValue({ city: 'Rome' }, { city: ['Paris'] })).toBe(false);
  });
});
