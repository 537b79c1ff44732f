// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseCompactPlan, printCompactPlan } from '../../../src/compact/index.ts';
import { compilePlan } from '../../../src/exec/compile-plan.ts';
import { executePlan, type RunEvent } from '../../../src/exec/index.ts';
import { common, Expr } from '../../../src/plan/kinds/common.ts';
import type { Compiled } from '../../../src/plan/kinds/kind.ts';
import { defineKind } from '../../../src/plan/kinds/kind.ts';
import { registerNodeKind } from '../../../src/plan/kinds/registry.ts';
import { type PlanT, planJsonSchema } from '../../../src/plan/plan-schema.ts';
import { ToolRegistry } from '../../../src/tool/registry.ts';
import { validatePlan } from '../../../src/validate/index.ts';

/**
 * A kind that is not built in, declared in one module (this one) and registered: the
 * validator, plan graph, typing, compiler, executor and compact syntax must all take it
 * with no edit anywhere else.
 */
type DelayNode = { id: string; delay: number; give?: string; timeout_ms?: number };

const delayKind = defineKind<DelayNode, { give: Compiled | undefined }>({
  key: 'delay',
  summary: 'Waits `delay` ms, then gives `give` (with `waited` bound) or null.',
  schema: z.object({ ...common, delay: z.number().int().min(0), give: Expr.optional() }).strict(),
  parts: (n) =>
    n.give === undefined
      ? []
      : [{ part: 'site', key: 'give', role: 'give', value: n.give, binds: ['waited'] }],
  shape: {
    fieldsAt: () => undefined,
    detach: () => ({ replace: {}, issues: [] }),
    lint: (n) =>
      typeof n.delay === 'number' && n.delay > 1000
        ? [{ key: 'delay', severity: 'error', code: 'limit_exceeded', message: 'at most 1000 ms' }]
        : [],
  },
  types: {
    local: (name, role) => (name === 'waited' && role === 'give' ? 'double' : undefined),
    output: (t) => {
      const type = t.siteAt('give');
      return type ? t.outputOf(type) : 'dyn';
    },
  },
  compact: {
    word: 'delay',
    block: false,
    options: [{ word: 'give', field: 'give', form: 'expr' }],
    commonFirst: false,
    head(r, node) {
      node.delay = r.number('the milliseconds to delay');
    },
    tail() {},
    print: (_w, node) => ({ head: `delay ${node.delay}`, tail: '' }),
  },
  compile: (node, cx) => ({ give: node.give === undefined ? undefined : cx.value(node.give) }),
  exec: { leaf: true, toolCall: false },
  async run(rt, node, frame) {
    await rt.sleep(node.spec.delay, frame.signal);
    const give = node.c.give;
    return give ? rt.evaluate(give, frame, node.refs, { waited: node.spec.delay }) : null;
  },
});

const registry = ToolRegistry.from([]);
let unregister: () => void;
beforeAll(() => {
  unregister = registerNodeKind(delayKind);
});
afterAll(() => unregister());

const plan = (nodes: unknown[], output?: unknown) =>
  ({ version: 1, nodes, ...(output === undefined ? {} : { output }) }) as PlanT;

const good = plan(
  [
    { id: 'd', delay: 5, give: '${input.n + waited}' },
    { id: 'm', map: '${[1.0, 2.0]}', as: 'x', do: [{ id: 'e', delay: 1, give: '${x * d}' }] },
  ],
  '${ {"d": d, "m": m} }',
);

describe('a node kind registered from outside (delay)', () => {
  it('validates: shape, names in scope, its own lint, and bodies accept it', () => {
    expect(validatePlan(good, registry).issues).toEqual([]);
    const bad = validatePlan(
      plan([
        { id: 'a', delay: 'soon' },
        { id: 'b', delay: 5000 },
        { id: 'c', delay: 1, give: '${nope + waited}' },
        { id: 'f', delay: 1, extra: true },
      ]),
      registry,
    );
    const at = bad.issues.map((i) => `${i.path} ${i.code}`);
    expect(at).toContain('/nodes/0/delay wrong_type');
    expect(at).toContain('/nodes/1/delay limit_exceeded');
    expect(at).toContain('/nodes/2/give unresolved_reference');
    expect(at).toContain('/nodes/3/extra unknown_field');
  });

  it('types its output for the expressions that read it', () => {
    const r = validatePlan(
      plan([
        { id: 'd', delay: 1, give: '${ {"a": 1.0} }' },
        { id: 'v', value: '${d.a + "x"}' },
      ]),
      registry,
    );
    expect(r.issues.map((i) => i.code)).toEqual(['expression_type']);
  });

  it('compiles to a node tagged with its kind, holding what its compile made', () => {
    const compiled = compilePlan(good);
    const d = compiled.root.nodes[0]!;
    expect(d.kind).toBe('delay');
    expect(d.refs.sort()).toEqual(['d', 'input', 'waited']);
    expect((d.c as { give: Compiled }).give.kind).toBe('expr');
  });

  it('executes, inside a map body too, journaled like any node', async () => {
    const events: RunEvent[] = [];
    const result = await executePlan(good, {
      tools: registry,
      input: { n: 1 },
      onEvent: (e) => events.push(e),
    });
    expect(result).toMatchObject({ status: 'succeeded', output: { d: 6, m: [6, 12] } });
    const started = events.filter((e) => e.type === 'node.started').map((e) => e.key);
    expect(started).toEqual(expect.arrayContaining(['d', 'm', 'e/0', 'e/1']));
  });

  it('is cancelled by timeout_ms like any node', async () => {
    const result = await executePlan(plan([{ id: 'd', delay: 500, timeout_ms: 20 }]), {
      tools: registry,
    });
    expect(result.status).toBe('failed');
    expect(result.status === 'failed' && result.error.name).toBe('Timeout');
  });

  it('prints in compact syntax and parses back to the same plan', () => {
    const text = printCompactPlan(good);
    expect(text).toContain('d = delay 5 give input.n + waited');
    expect(text).toContain('e = delay 1 give x * d');
    const back = parseCompactPlan(text);
    expect(back).toEqual({ ok: true, plan: good });
    const wrong = parseCompactPlan('d = delay 5 gift 1\n');
    expect(wrong.ok).toBe(false);
    expect(!wrong.ok && wrong.errors[0]!.message).toContain('expected one of give, if');
  });

  it('appears in the plan JSON Schema handed to LLMs', () => {
    expect(JSON.stringify(planJsonSchema())).toContain('"delay"');
  });
});
