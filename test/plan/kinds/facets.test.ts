import { describe, expect, it } from 'vitest';
import { FACETS } from '../../../src/plan/kinds/kind.ts';
import {
  BUILTIN_KINDS,
  kindTable,
  missingFacets,
  nodeKinds,
  registerNodeKind,
} from '../../../src/plan/kinds/registry.ts';
import { NODE_KIND_KEYS } from '../../../src/plan/plan-schema.ts';

describe('the registry of node kinds', () => {
  it('every kind declares every facet', () => {
    for (const kind of nodeKinds()) {
      expect(missingFacets(kind), kind.key).toEqual([]);
      for (const facet of FACETS) expect(kind[facet], `${kind.key}.${facet}`).toBeDefined();
      for (const f of ['fieldsAt', 'detach', 'lint'] as const)
        expect(typeof kind.shape[f], `${kind.key}.shape.${f}`).toBe('function');
      for (const f of ['local', 'output'] as const)
        expect(typeof kind.types[f], `${kind.key}.types.${f}`).toBe('function');
      for (const f of ['head', 'tail', 'print'] as const)
        expect(typeof kind.compact[f], `${kind.key}.compact.${f}`).toBe('function');
      expect(typeof kind.exec.leaf).toBe('boolean');
      expect(typeof kind.exec.toolCall).toBe('boolean');
    }
  });

  it('holds the plan format’s kinds, in its order, each with its own compact keyword', () => {
    expect(BUILTIN_KINDS.map((k) => k.key)).toEqual(NODE_KIND_KEYS);
    const words = BUILTIN_KINDS.map((k) => k.compact.word).filter(Boolean);
    expect(new Set(words).size).toBe(words.length);
  });

  it('refuses a kind that lacks a facet, reuses a key, or takes a keyword', () => {
    const value = BUILTIN_KINDS[1];
    const { run: _run, ...noRun } = value;
    expect(() => registerNodeKind({ ...noRun, key: 'x' } as never)).toThrow(/lacks run/);
    expect(() => registerNodeKind(value)).toThrow(/already registered/);
    expect(() => registerNodeKind({ ...value, key: 'value2' })).toThrow(/keyword "value"/);
  });

  it('gives the docs a table with one row per kind', () => {
    const rows = kindTable().split('\n').slice(2);
    expect(rows).toHaveLength(nodeKinds().length);
    expect(rows[2]).toContain('`map`');
  });
});
