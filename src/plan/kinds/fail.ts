import { z } from 'zod';
import { PlanFailure } from '../../errors/runtime-errors.ts';
import { type Common, common, noDetach, noFields, noLint, noLocals } from './common.ts';
import { defineKind } from './kind.ts';

export type FailNodeT = Common & { fail: string; error?: string };

export const FailNode = z
  .object({ ...common, fail: z.string(), error: z.string().optional() })
  .strict();

/** `fail`: fails the enclosing list with a named error (for `catch` and `retry.on`). */
export const failKind = defineKind<FailNodeT, null>({
  key: 'fail',
  summary: 'Fails with this message and error name (default "Failed").',
  schema: FailNode,
  parts: () => [],
  shape: { fieldsAt: noFields, detach: noDetach, lint: noLint },
  types: { local: noLocals, output: () => 'dyn' },
  compact: {
    word: 'fail',
    block: false,
    options: [{ word: 'error', field: 'error', form: 'word', what: 'an error name' }],
    commonFirst: false,
    head(r, node) {
      node.fail = r.string('the failure message "..."');
    },
    tail() {},
    print: (_w, node) => ({ head: `fail ${JSON.stringify(node.fail)}`, tail: '' }),
  },
  compile: () => null,
  exec: { leaf: true, toolCall: false },
  run(_rt, node) {
    throw new PlanFailure(node.spec.error ?? 'Failed', node.spec.fail);
  },
});
