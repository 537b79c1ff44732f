// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BFCL_CATEGORIES,
  type BfclCase,
  bfclDataDir,
  bfclRegistry,
  groundTruthPlan,
  loadBfclCorpus,
} from '../../../src/eval/bfcl/bfcl-corpus.ts';
import type { ToolRegistry } from '../../../src/tool/registry.ts';
import type { IssueCode } from '../../../src/validate/issues.ts';
import { validatePlan } from '../../../src/validate/validate-plan.ts';

/**
 * Ground truths in the corpus that do not fit their own function schemas. Each is listed
 * with the reason; the test requires exactly these to be rejected, for exactly that reason.
 */
const INCONSISTENT: Record<string, { path: string; code: IssueCode; reason: string }> = {
  parallel_multiple_21: {
    path: '/nodes/1/args/x',
    code: 'arg_wrong_type',
    reason: 'x and y are declared arrays; the answer passes Python expressions as strings',
  },
  parallel_multiple_94: {
    path: '/nodes/0/args/elements/0',
    code: 'arg_wrong_type',
    reason: 'elements are declared integers; the answer sorts fruit names (strings)',
  },
};

type Plan = {
  version: 1;
  nodes: Array<{ id: string; call: string; args: Record<string, unknown> }>;
};
type Mutation =
  | 'wrong_type'
  | 'missing_required'
  | 'unknown_argument'
  | 'unknown_tool'
  | 'dangling_ref';
const MUTATIONS: Mutation[] = [
  'wrong_type',
  'missing_required',
  'unknown_argument',
  'unknown_tool',
  'dangling_ref',
];

interface Mutated {
  plan: Plan;
  path: string;
  code: IssueCode;
}

function clone(plan: Plan): Plan {
  return JSON.parse(JSON.stringify(plan)) as Plan;
}

function wrongValueFor(schema: Record<string, unknown>): unknown {
  const t = Array.isArray(schema.type) ? schema.type : [schema.type];
  // checkValue reports an enum miss (arg_not_allowed) before the type: not this mutation.
  if (t.includes(undefined) || schema.anyOf || schema.oneOf || schema.enum) return undefined;
  if (t.includes('string')) return t.includes('number') || t.includes('integer') ? [] : 12345;
  if (t.includes('number') || t.includes('integer')) return 'not a number';
  if (t.includes('boolean')) return 'yes';
  if (t.includes('array')) return 'not a list';
  if (t.includes('object')) return 'not an object';
  return undefined;
}

function mutate(
  base: Plan,
  registry: ToolRegistry,
  kind: Mutation,
  seed: number,
): Mutated | undefined {
  const plan = clone(base);
  if (plan.nodes.length === 0) {
    if (kind !== 'unknown_tool' && kind !== 'dangling_ref') return undefined;
    plan.nodes.push({ id: 'call_0', call: registry.names()[0] ?? 'x', args: {} });
  }
  const index = seed % plan.nodes.length;
  const node = plan.nodes[index]!;
  const at = `/nodes/${index}`;
  const tool = registry.get(node.call);
  const props = (tool?.inputSchema.properties ?? {}) as Record<string, Record<string, unknown>>;
  switch (kind) {
    case 'wrong_type': {
      for (const name of Object.keys(node.args)) {
        const wrong = props[name] ? wrongValueFor(props[name]) : undefined;
        if (wrong === undefined) continue;
        node.args[name] = wrong;
        return { plan, path: `${at}/args/${name}`, code: 'arg_wrong_type' };
      }
      return undefined;
    }
    case 'missing_required': {
      const required = (tool?.inputSchema.required ?? []) as string[];
      const name = required.find((r) => Object.hasOwn(node.args, r));
      if (!name) return undefined;
      delete node.args[name];
      return { plan, path: `${at}/args/${name}`, code: 'missing_argument' };
    }
    case 'unknown_argument':
      node.args.zz_not_an_argument = 1;
      return { plan, path: `${at}/args/zz_not_an_argument`, code: 'unknown_argument' };
    case 'unknown_tool':
      node.call = `${node.call}_nope`;
      return { plan, path: `${at}/call`, code: 'unknown_tool' };
    case 'dangling_ref': {
      const name = Object.keys(node.args)[0];
      if (name) {
        node.args[name] = '${nope.x}';
        return { plan, path: `${at}/args/${name}`, code: 'unresolved_reference' };
      }
      (plan.nodes as unknown[]).push({ id: 'dangling', value: '${nope.x}' });
      return { plan, path: `/nodes/${plan.nodes.length - 1}/value`, code: 'unresolved_reference' };
    }
  }
}

const dir = bfclDataDir();

describe('BFCL corpus through the validator', () => {
  it('finds the corpus vendored in the repository', () => {
    expect(existsSync(dir), `${dir} missing`).toBe(true);
  });

  it('accepts every ground truth, rejects every mutation at the right path and code', () => {
    const cases: BfclCase[] = loadBfclCorpus(dir);
    expect(cases.length).toBe(1240);
    const rows = new Map<string, Record<string, number>>();
    const failures: string[] = [];
    const inconsistentSeen: string[] = [];
    cases.forEach((c, caseIndex) => {
      const row = rows.get(c.category) ?? { cases: 0, tools: 0, accepted: 0, inconsistent: 0 };
      rows.set(c.category, row);
      row.cases! += 1;
      const registry = bfclRegistry(c);
      row.tools! += registry.size;
      const plan = (groundTruthPlan(c) ?? { version: 1, nodes: [] }) as Plan;
      const result = validatePlan(plan, registry);
      const known = INCONSISTENT[c.id];
      if (known) {
        const hit = result.issues.some((i) => i.path === known.path && i.code === known.code);
        if (result.valid || !hit)
          failures.push(
            `${c.id}: expected the listed inconsistency ${known.code} at ${known.path}`,
          );
        row.inconsistent! += 1;
        inconsistentSeen.push(c.id);
        return;
      }
      if (result.valid) row.accepted! += 1;
      else
        failures.push(
          `${c.id}: ground truth rejected: ${JSON.stringify(result.issues).slice(0, 300)}`,
        );

      for (const kind of MUTATIONS) {
        const m = mutate(plan, registry, kind, caseIndex);
        if (!m) continue;
        row[`${kind}`] = (row[`${kind}`] ?? 0) + 1;
        const r = validatePlan(m.plan, registry);
        const ok = !r.valid && r.issues.some((i) => i.path === m.path && i.code === m.code);
        if (ok) row[`${kind} rejected`] = (row[`${kind} rejected`] ?? 0) + 1;
        else
          failures.push(
            `${c.id} ${kind}: expected ${m.code} at ${m.path}, got ${JSON.stringify(r.issues).slice(0, 300)}`,
          );
      }
    });

    const table = [...rows.entries()].map(([category, r]) => ({
      category,
      cases: r.cases,
      tools: r.tools,
      accepted: r.accepted,
      inconsistent: r.inconsistent,
      ...Object.fromEntries(MUTATIONS.map((k) => [k, `${r[`${k} rejected`] ?? 0}/${r[k] ?? 0}`])),
    }));
    console.log('BFCL validation (mutations: rejected at the right path and code / applied)');
    console.table(table);
    for (const [id, why] of Object.entries(INCONSISTENT))
      console.log(`inconsistent in the corpus: ${id}: ${why.reason}`);

    expect(failures).toEqual([]);
    expect(inconsistentSeen.sort()).toEqual(Object.keys(INCONSISTENT).sort());
    expect([...rows.keys()].sort()).toEqual([...BFCL_CATEGORIES].sort());
  }, 120_000);
});
