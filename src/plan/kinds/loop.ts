import { z } from 'zod';
import {
  Body,
  type Common,
  capIssues,
  common,
  Expr,
  noDetach,
  noFields,
  type PlanNodeLike,
} from './common.ts';
import type { Compiled, CompiledList, CompiledNode, KindRuntime, RunScope } from './kind.ts';
import { defineKind, type KindIssue } from './kind.ts';

export type LoopNodeT = Common & { loop: PlanNodeLike[]; while: string; max_iterations: number };

export const LoopNode: z.ZodType<LoopNodeT> = z
  .object({
    ...common,
    loop: Body,
    while: Expr.describe('Checked after each iteration; `iteration` and `last` in scope.'),
    max_iterations: z.number().int().min(1),
  })
  .strict();

export interface LoopCompiled {
  body: CompiledList;
  /** `while` reads the body's nodes: it is evaluated in the iteration's scope. */
  while: Compiled;
  whileRefs: string[];
}

/** Runs the body, then checks `while` in the iteration's scope. */
async function runLoop(
  rt: KindRuntime,
  node: CompiledNode<LoopNodeT, LoopCompiled>,
  frame: RunScope,
): Promise<unknown> {
  let last: unknown = null;
  for (let k = 0; k < node.spec.max_iterations; k++) {
    const iter = rt.child(frame, {
      vars: new Map<string, unknown>([
        ['iteration', k],
        ['last', last],
      ]),
      suffix: `${frame.suffix}/${k}`,
    });
    const out = await rt.runBody(node.c.body, iter);
    const again = rt.evaluateBool(node.c.while, iter, node.c.whileRefs, `"while" of ${node.id}`);
    last = out;
    if (!again) break;
  }
  return last;
}

function lint(
  node: Readonly<Record<string, unknown>>,
  limits: { maxIterations: number },
): KindIssue[] {
  return capIssues(node, 'max_iterations', limits.maxIterations, 'iterations');
}

/** `loop`: runs its body again while `while` holds, up to `max_iterations`. */
export const loopKind = defineKind<LoopNodeT, LoopCompiled>({
  key: 'loop',
  summary:
    'Runs `loop` again while `while` holds (`iteration`, `last` bound), at most `max_iterations`.',
  schema: LoopNode,
  parts: (n) => [
    { part: 'body', key: 'loop', role: 'loop', value: n.loop, binds: ['iteration', 'last'] },
    {
      part: 'site',
      key: 'while',
      role: 'while',
      value: n.while,
      inBody: true,
      late: true,
      expects: 'bool',
    },
  ],
  shape: { fieldsAt: noFields, detach: noDetach, lint },
  types: {
    local(name, role, t) {
      if (role !== 'loop') return undefined;
      if (name === 'iteration') return 'dyn';
      return name === 'last' ? t.deferredBody('loop') : undefined;
    },
    output: (t) => t.body('loop'),
  },
  compact: {
    word: 'loop',
    block: true,
    options: [
      { word: 'max', field: 'max_iterations', form: 'number', what: 'the maximum' },
      { word: 'while', field: 'while', form: 'expr' },
    ],
    commonFirst: false,
    head() {},
    tail(r, node, at) {
      r.require(node, at, 'a loop', 'loop max 10 while COND {...}', [
        ['max_iterations', '"max N"'],
        ['while', '"while COND"'],
      ]);
      node.loop = r.block('the loop body');
    },
    print: (w, node) => ({ head: 'loop', tail: ` ${w.block(node.loop)}` }),
  },
  compile(node, cx) {
    const w = cx.inBody(node.while);
    return { body: cx.body('loop'), while: w.value, whileRefs: w.refs };
  },
  exec: { leaf: false, toolCall: false },
  run: runLoop,
});
