import { z } from 'zod';
import {
  Body,
  type Common,
  common,
  Expr,
  isObject,
  noDetach,
  type PlanNodeLike,
} from './common.ts';
import type { Compiled, CompiledList, CompiledNode, KindRuntime, RunScope } from './kind.ts';
import { defineKind, type KindIssue, type KindPart } from './kind.ts';

export type SwitchCase = { when?: string; do: PlanNodeLike[] };
export type SwitchNodeT = Common & { switch: SwitchCase[] };

export const SwitchCaseSchema: z.ZodType<SwitchCase> = z
  .object({ when: Expr.optional(), do: Body })
  .strict();

export const SwitchNode: z.ZodType<SwitchNodeT> = z
  .object({ ...common, switch: z.array(SwitchCaseSchema).min(1) })
  .strict();

type SwitchCompiled = Array<{ when: Compiled | undefined; body: CompiledList }>;

const CASE_FIELDS = ['when', 'do'];

function parts(n: Readonly<Record<string, unknown>>): KindPart[] {
  const out: KindPart[] = [];
  if (!Array.isArray(n.switch)) return out;
  n.switch.forEach((c, i) => {
    if (!isObject(c)) return;
    if (c.when !== undefined)
      out.push({
        part: 'site',
        key: `switch/${i}/when`,
        role: 'when',
        value: c.when,
        expects: 'bool',
      });
    out.push({ part: 'body', key: `switch/${i}/do`, role: 'case', value: c.do, binds: [] });
  });
  return out;
}

function lint(node: Readonly<Record<string, unknown>>): KindIssue[] {
  const cases = node.switch;
  if (!Array.isArray(cases)) return [];
  const issues: KindIssue[] = [];
  cases.forEach((c, i) => {
    if (isObject(c) && !Object.hasOwn(c, 'when') && i < cases.length - 1)
      issues.push({
        key: `switch/${i}`,
        severity: 'error',
        code: 'default_case_not_last',
        message: `case ${i} has no "when", so it is the default and always matches: the ${cases.length - 1 - i} case(s) after it could never be chosen. Put the default case last.`,
      });
  });
  return issues;
}

async function runSwitch(
  rt: KindRuntime,
  node: CompiledNode<SwitchNodeT, SwitchCompiled>,
  frame: RunScope,
): Promise<unknown> {
  for (const c of node.c) {
    if (c.when && !rt.evaluateBool(c.when, frame, node.refs, `"when" of ${node.id}`)) continue;
    return rt.runBody(c.body, rt.child(frame));
  }
  return null;
}

/** `switch`: runs the body of the first case whose `when` holds (a case without is the default). */
export const switchKind = defineKind<SwitchNodeT, SwitchCompiled>({
  key: 'switch',
  summary: 'Runs the first case whose `when` holds; a last case without `when` is the default.',
  schema: SwitchNode,
  parts,
  shape: {
    fieldsAt: (suffix) => (suffix.includes('/switch/') ? CASE_FIELDS : undefined),
    detach: noDetach,
    lint,
  },
  types: {
    local: () => undefined,
    // A case without `do` leaves an empty body, whose output is unknown (dyn).
    output: (t) => t.common(t.bodies('case')),
  },
  compact: {
    word: 'switch',
    block: true,
    options: [],
    commonFirst: false,
    head() {},
    tail(r, node) {
      const cases: SwitchCase[] = [];
      const open = r.clauses('the switch cases', ['when', 'else'], (word) => {
        if (word === 'when') {
          const when = r.value('when', false, 'a condition after "when"');
          cases.push({ when: when as string, do: r.block('the when body') as PlanNodeLike[] });
        } else cases.push({ do: r.block('the else body') as PlanNodeLike[] });
      });
      if (cases.length === 0) r.report(open, 'a switch needs at least one "when COND {...}"');
      node.switch = cases;
    },
    print(w, node) {
      const cases = w.clauses((inner) =>
        node.switch.map((c) =>
          c.when === undefined
            ? `else ${inner.block(c.do)}`
            : `when ${inner.value(c.when, 'when', false)} ${inner.block(c.do)}`,
        ),
      );
      return { head: 'switch', tail: ` ${cases}` };
    },
  },
  compile(node, cx) {
    const bodies = cx.bodies('case');
    return node.switch.map((c, i) => ({
      when: c.when === undefined ? undefined : cx.value(c.when),
      body: bodies[i]!,
    }));
  },
  exec: { leaf: false, toolCall: false },
  run: runSwitch,
});
