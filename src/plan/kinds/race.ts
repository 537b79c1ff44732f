import { z } from 'zod';
import { AllFailedError, CancelledError, ExpressionError } from '../../errors/runtime-errors.ts';
import {
  Body,
  type Common,
  common,
  Expr,
  noDetach,
  noFields,
  type PlanNodeLike,
} from './common.ts';
import type { Compiled, CompiledList, CompiledNode, KindRuntime, RunScope } from './kind.ts';
import { defineKind, type KindIssue, type KindPart } from './kind.ts';

export type RaceNodeT = Common & { race: PlanNodeLike[]; pick?: 'first' | 'best'; score?: string };

export const RaceNode: z.ZodType<RaceNodeT> = z
  .object({
    ...common,
    race: Body.describe('Each branch is a single node.'),
    pick: z.enum(['first', 'best']).optional(),
    score: Expr.describe('With pick "best": a number; `result` is the branch output.').optional(),
  })
  .strict();

export interface RaceCompiled {
  branches: CompiledList;
  score: Compiled | undefined;
}

/** Each branch is one node; the first success wins and the others are cancelled. */
async function runRace(
  rt: KindRuntime,
  node: CompiledNode<RaceNodeT, RaceCompiled>,
  frame: RunScope,
  key: string,
): Promise<unknown> {
  const branches = node.c.branches.nodes;
  const raceFrame = rt.child(frame);
  const outcomes: Array<{ ok: boolean; value: unknown }> = [];
  let winner: { value: unknown } | undefined;
  const pickFirst = (node.spec.pick ?? 'first') === 'first';
  try {
    await Promise.all(
      branches.map((b, i) =>
        rt.runNode(b, raceFrame).then(
          (outcome) => {
            const value = outcome === 'skipped' ? null : raceFrame.vars.get(b.id);
            outcomes[i] = { ok: outcome === 'succeeded', value };
            if (pickFirst && outcome === 'succeeded' && !winner) {
              winner = { value };
              raceFrame.controller.abort(new CancelledError(`lost the race to ${b.id}`));
            }
          },
          (error: unknown) => {
            outcomes[i] = { ok: false, value: error };
          },
        ),
      ),
    );
  } finally {
    raceFrame.dispose();
  }
  if (frame.signal.aborted) throw frame.signal.reason;
  const suspended = outcomes.find((o) => rt.isSuspension(o.value));
  if (suspended && !winner) throw suspended.value;
  if (pickFirst) {
    if (winner) return winner.value;
  } else {
    const best = bestOf(rt, node, frame, outcomes);
    if (best) return best.value;
  }
  const errors = outcomes.map((o) => rt.errorInfo(o?.value));
  throw new AllFailedError(
    `every branch of race ${key} failed: ${errors.map((e) => `${e.node ?? '?'}: ${e.name}: ${e.message}`).join('; ')}`,
    { retryable: false, details: { errors } },
  );
}

function bestOf(
  rt: KindRuntime,
  node: CompiledNode<RaceNodeT, RaceCompiled>,
  frame: RunScope,
  outcomes: Array<{ ok: boolean; value: unknown }>,
): { value: unknown } | undefined {
  let best: { score: number; value: unknown } | undefined;
  for (const o of outcomes) {
    if (!o?.ok || !node.c.score) continue;
    const score = rt.evaluate(node.c.score, frame, node.refs, { result: o.value });
    if (typeof score !== 'number') {
      throw new ExpressionError(`"score" of ${node.id} must be a number`, { retryable: false });
    }
    if (!best || score > best.score) best = { score, value: o.value };
  }
  return best;
}

function lint(node: Readonly<Record<string, unknown>>): KindIssue[] {
  if (node.pick === 'best' && !Object.hasOwn(node, 'score'))
    return [
      {
        key: 'score',
        severity: 'error',
        code: 'missing_field',
        message:
          'a race with "pick": "best" needs "score": a number expression with `result` (a branch output) in scope, e.g. "${result.confidence}"',
      },
    ];
  if (node.pick !== 'best' && Object.hasOwn(node, 'score'))
    return [
      {
        key: 'score',
        severity: 'warning',
        code: 'unused_field',
        message: '"score" is only used with "pick": "best"; with "first" the first success wins',
      },
    ];
  return [];
}

/** `race`: runs its branches at once; the first to succeed (or the best scored) wins. */
export const raceKind = defineKind<RaceNodeT, RaceCompiled>({
  key: 'race',
  summary: 'Runs each branch (one node) at once; `pick` first success or `best` by `score`.',
  schema: RaceNode,
  parts: (n) => {
    const out: KindPart[] = [{ part: 'body', key: 'race', role: 'race', value: n.race, binds: [] }];
    if (n.score !== undefined)
      out.push({
        part: 'site',
        key: 'score',
        role: 'score',
        value: n.score,
        binds: ['result'],
        late: true,
        expects: 'number',
      });
    return out;
  },
  shape: { fieldsAt: noFields, detach: noDetach, lint },
  types: {
    // `score` is checked after the branches, so their types are known.
    local: (name, role, t) =>
      role === 'score' && name === 'result' ? t.common(t.branches('race')) : undefined,
    output: (t) => t.common(t.branches('race')),
  },
  compact: {
    word: 'race',
    block: true,
    options: [
      { word: 'first', field: 'pick', form: 'pick' },
      { word: 'best', field: 'pick', form: 'pick' },
      { word: 'score', field: 'score', form: 'expr' },
    ],
    commonFirst: false,
    head() {},
    tail(r, node) {
      node.race = r.block('the race branches');
    },
    print: (w, node) => ({ head: 'race', tail: ` ${w.block(node.race)}` }),
  },
  compile: (node, cx) => ({
    branches: cx.body('race'),
    score: node.score === undefined ? undefined : cx.value(node.score),
  }),
  exec: { leaf: false, toolCall: false },
  run: runRace,
});
