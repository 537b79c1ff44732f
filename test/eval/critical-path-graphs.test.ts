// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans hold CEL `${ }` expressions, not JS templates
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { criticalPath, makespanRatio } from '../../src/eval/critical-path.ts';

const call = (id: string, deps: string[] = []) => ({
  id,
  call: 't',
  args: Object.fromEntries(deps.map((d) => [d, `\${${d}}`])),
});
const plan = (...nodes: unknown[]) => ({ version: 1, nodes });
const weights = (w: Record<string, number>) => (id: string) => w[id];

describe('criticalPath on hand-computed graphs', () => {
  it('a diamond: a → (b | c) → d takes the heavier branch', () => {
    const p = plan(call('a'), call('b', ['a']), call('c', ['a']), call('d', ['b', 'c']));
    expect(criticalPath(p, weights({ a: 10, b: 5, c: 30, d: 1 }))).toEqual({
      ms: 41,
      path: ['a', 'c', 'd'],
    });
    expect(criticalPath(p, weights({ a: 10, b: 50, c: 30, d: 1 }))).toEqual({
      ms: 61,
      path: ['a', 'b', 'd'],
    });
  });

  it('two independent chains: the longer chain, not the heavier single node', () => {
    const p = plan(call('x1'), call('x2', ['x1']), call('x3', ['x2']), call('big'));
    // x: 20+20+20 = 60 beats big: 50.
    expect(criticalPath(p, weights({ x1: 20, x2: 20, x3: 20, big: 50 }))).toEqual({
      ms: 60,
      path: ['x1', 'x2', 'x3'],
    });
    expect(criticalPath(p, weights({ x1: 20, x2: 20, x3: 20, big: 61 }))).toEqual({
      ms: 61,
      path: ['big'],
    });
  });

  it('a wide fan-in: the sink after its slowest source', () => {
    const sources = Array.from({ length: 6 }, (_, i) => call(`s${i}`));
    const p = plan(
      ...sources,
      call(
        'join',
        sources.map((s) => s.id),
      ),
    );
    const w: Record<string, number> = { s0: 1, s1: 9, s2: 3, s3: 12, s4: 4, s5: 11, join: 2 };
    expect(criticalPath(p, weights(w))).toEqual({ ms: 14, path: ['s3', 'join'] });
  });

  it('a compound node weighs what it took; its body nodes are not on the path', () => {
    const p = plan(
      call('list'),
      { id: 'm', map: '${list}', do: [call('inner')] },
      { id: 'total', value: '${ m.size() }' },
    );
    expect(criticalPath(p, weights({ list: 10, m: 100, inner: 1_000, total: 1 }))).toEqual({
      ms: 111,
      path: ['list', 'm', 'total'],
    });
  });

  it('a reference inside a template string is a dependency too', () => {
    const p = plan(call('user'), { id: 'greet', value: 'Hello ${user.name}!' });
    expect(criticalPath(p, weights({ user: 7, greet: 1 }))).toEqual({
      ms: 8,
      path: ['user', 'greet'],
    });
  });

  it('on a tie in time prefers the path through more nodes (it ends at the sink)', () => {
    const p = plan(call('a'), call('b', ['a']));
    expect(criticalPath(p, weights({ a: 10, b: 0 }))).toEqual({ ms: 10, path: ['a', 'b'] });
  });

  it('counts unmeasured and negative durations as zero', () => {
    const p = plan(call('a'), call('b', ['a']));
    expect(criticalPath(p, weights({ a: -50, b: 5 }))).toEqual({ ms: 5, path: ['a', 'b'] });
    expect(criticalPath(p, () => undefined)).toEqual({ ms: 0, path: ['a', 'b'] });
  });

  it('an empty or malformed plan has an empty path', () => {
    expect(criticalPath(plan(), () => 1)).toEqual({ ms: 0, path: [] });
    expect(criticalPath({}, () => 1)).toEqual({ ms: 0, path: [] });
  });

  it('ends the path at a cycle instead of looping forever', () => {
    const p = plan(call('a', ['b']), call('b', ['a']));
    const result = criticalPath(p, weights({ a: 3, b: 4 }));
    expect(result.ms).toBe(7);
    expect([...result.path].sort()).toEqual(['a', 'b']);
  });
});

describe('criticalPath (property)', () => {
  // Random DAGs: node i may depend on any earlier node.
  const dagArb = fc
    .integer({ min: 1, max: 9 })
    .chain((n) =>
      fc.tuple(
        fc.tuple(
          ...Array.from({ length: n }, (_, i) =>
            fc.subarray(Array.from({ length: i }, (_, j) => j)),
          ),
        ),
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: n, maxLength: n }),
      ),
    );

  it('equals the brute-force longest path, and the path is a real chain of dependencies', () => {
    fc.assert(
      fc.property(dagArb, ([deps, durations]) => {
        const ids = deps.map((_, i) => `n${i}`);
        const p = plan(
          ...deps.map((d, i) =>
            call(
              ids[i]!,
              d.map((j) => ids[j]!),
            ),
          ),
        );
        const result = criticalPath(p, (id) => durations[Number(id.slice(1))]);
        // Brute force: longest path ending at i = own + max over deps.
        const best: number[] = [];
        deps.forEach((d, i) => {
          best[i] = durations[i]! + Math.max(0, ...d.map((j) => best[j]!));
        });
        expect(result.ms).toBe(Math.max(...best));
        const sum = result.path.reduce((n, id) => n + durations[Number(id.slice(1))]!, 0);
        expect(sum).toBe(result.ms);
        for (let k = 1; k < result.path.length; k++) {
          const here = Number(result.path[k]!.slice(1));
          expect(deps[here]).toContain(Number(result.path[k - 1]!.slice(1)));
        }
      }),
    );
  });
});

describe('makespanRatio', () => {
  it('is makespan over critical path, undefined for a path of zero or less', () => {
    expect(makespanRatio(100, 100)).toBe(1);
    expect(makespanRatio(250, 100)).toBe(2.5);
    expect(makespanRatio(0, 100)).toBe(0);
    expect(makespanRatio(100, 0)).toBeUndefined();
    expect(makespanRatio(100, -1)).toBeUndefined();
  });
});
