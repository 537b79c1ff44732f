import { z } from 'zod';
import { type Common, common, noDetach, noFields, noLint, noLocals } from './common.ts';
import { defineKind } from './kind.ts';

export type WaitNodeT = Common & { wait_ms: number };

export const WaitNode = z.object({ ...common, wait_ms: z.number().int().min(0) }).strict();

/** `wait_ms`: sleeps (cancellably); its output is null. */
export const waitKind = defineKind<WaitNodeT, null>({
  key: 'wait_ms',
  summary: 'Waits this many milliseconds (output null).',
  schema: WaitNode,
  parts: () => [],
  shape: { fieldsAt: noFields, detach: noDetach, lint: noLint },
  types: { local: noLocals, output: () => 'dyn' },
  compact: {
    word: 'wait',
    block: false,
    options: [],
    commonFirst: false,
    head(r, node) {
      node.wait_ms = r.number('the milliseconds to wait');
    },
    tail() {},
    print: (_w, node) => ({ head: `wait ${JSON.stringify(node.wait_ms)}`, tail: '' }),
  },
  compile: () => null,
  exec: { leaf: true, toolCall: false },
  run: (rt, node, frame) => rt.sleep(node.spec.wait_ms, frame.signal).then(() => null),
});
