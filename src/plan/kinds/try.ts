import { z } from 'zod';
import {
  Body,
  type Common,
  common,
  noDetach,
  noFields,
  noLint,
  type PlanNodeLike,
} from './common.ts';
import type { CompiledList, CompiledNode, KindRuntime, RunScope } from './kind.ts';
import { defineKind, type KindPart } from './kind.ts';

export type TryNodeT = Common & {
  try: PlanNodeLike[];
  catch?: PlanNodeLike[];
  finally?: PlanNodeLike[];
};

export const TryNode: z.ZodType<TryNodeT> = z
  .object({ ...common, try: Body, catch: Body.optional(), finally: Body.optional() })
  .strict();

export interface TryCompiled {
  body: CompiledList;
  catchBody: CompiledList | undefined;
  finallyBody: CompiledList | undefined;
}

/**
 * On an error in the body, the body's finished nodes are compensated first (to the end,
 * even if the run is cancelled meanwhile), then `catch` runs with `error` in scope;
 * `finally` runs in every case but cancellation.
 */
async function runTry(
  rt: KindRuntime,
  node: CompiledNode<TryNodeT, TryCompiled>,
  frame: RunScope,
): Promise<unknown> {
  const scope = rt.newSaga();
  let output: unknown;
  let failure: { error: unknown } | undefined;
  try {
    output = await rt.runBody(node.c.body, rt.child(frame, { saga: scope }));
    for (const e of scope.entries) frame.saga.add(e);
  } catch (error) {
    if (frame.signal.aborted || rt.isSuspension(error)) {
      // The run is stopping: the run-level saga decides about these nodes.
      for (const e of scope.entries) frame.saga.add(e);
      throw error;
    }
    // Compensations go on when the run is cancelled meanwhile (only its stop signal ends
    // them), but the run then goes on stopping: `catch` runs when it resumes.
    const err = await rt.compensate(scope, error);
    if (frame.signal.aborted) throw frame.signal.reason;
    const catchBody = node.c.catchBody;
    if (catchBody) {
      const info = rt.errorInfo(err);
      const errorVar = { name: info.name, message: info.message, node: info.node ?? null };
      try {
        output = await rt.runBody(
          catchBody,
          rt.child(frame, { vars: new Map([['error', errorVar]]) }),
        );
      } catch (catchError) {
        failure = { error: catchError };
      }
    } else failure = { error: err };
  }
  if (node.c.finallyBody && !frame.signal.aborted) {
    await rt.runBody(node.c.finallyBody, rt.child(frame));
  }
  if (failure) throw failure.error;
  return output;
}

function parts(n: Readonly<Record<string, unknown>>): KindPart[] {
  const out: KindPart[] = [{ part: 'body', key: 'try', role: 'try', value: n.try, binds: [] }];
  if (n.catch !== undefined)
    out.push({ part: 'body', key: 'catch', role: 'catch', value: n.catch, binds: ['error'] });
  if (n.finally !== undefined)
    out.push({ part: 'body', key: 'finally', role: 'finally', value: n.finally, binds: [] });
  return out;
}

/** `try`: a body whose failure is compensated and handled by `catch`; then `finally`. */
export const tryKind = defineKind<TryNodeT, TryCompiled>({
  key: 'try',
  summary:
    'Runs `try`; on failure compensates it and runs `catch` (`error` bound); then `finally`.',
  schema: TryNode,
  parts,
  shape: { fieldsAt: noFields, detach: noDetach, lint: noLint },
  types: {
    local: (name, role, t) => (role === 'catch' && name === 'error' ? t.errorType : undefined),
    output(t) {
      const types = [t.body('try')];
      if (t.node.catch !== undefined) types.push(t.body('catch'));
      return t.common(types);
    },
  },
  compact: {
    word: 'try',
    block: true,
    options: [],
    commonFirst: false,
    head() {},
    tail(r, node) {
      node.try = r.block('the try body');
      for (const part of ['catch', 'finally'] as const) {
        const body = r.optionalBlock(part, `the ${part} body`);
        if (body) node[part] = body;
      }
    },
    print(w, node) {
      let tail = ` ${w.block(node.try)}`;
      if (node.catch !== undefined) tail += ` catch ${w.block(node.catch)}`;
      if (node.finally !== undefined) tail += ` finally ${w.block(node.finally)}`;
      return { head: 'try', tail };
    },
  },
  compile: (_node, cx) => ({
    body: cx.body('try'),
    catchBody: cx.bodies('catch')[0],
    finallyBody: cx.bodies('finally')[0],
  }),
  exec: { leaf: false, toolCall: false },
  run: runTry,
});
