import { z } from 'zod';
import { type Common, common, Json, noDetach, noFields, noLint, noLocals } from './common.ts';
import type { Compiled } from './kind.ts';
import { defineKind } from './kind.ts';

export type EmitNodeT = Common & { emit: string; data?: unknown };

export const EmitNode = z
  .object({ ...common, emit: z.string().min(1), data: Json.optional() })
  .strict();

/** `emit`: journals an event on a topic and tells the run's subscribers; output null. */
export const emitKind = defineKind<EmitNodeT, { data: Compiled }>({
  key: 'emit',
  summary: 'Publishes `data` on a topic to the run’s subscribers (output null).',
  schema: EmitNode,
  parts: (n) =>
    n.data === undefined ? [] : [{ part: 'site', key: 'data', role: 'data', value: n.data }],
  shape: { fieldsAt: noFields, detach: noDetach, lint: noLint },
  types: { local: noLocals, output: () => 'dyn' },
  compact: {
    word: 'emit',
    block: false,
    options: [],
    commonFirst: false,
    head(r, node) {
      node.emit = r.name('the emit topic');
      const data = r.optionalValue('head', true);
      if (data) node.data = data.value;
    },
    tail() {},
    print(w, node) {
      const data = 'data' in node ? ` ${w.value(node.data, 'head', true)}` : '';
      return { head: `emit ${w.name(String(node.emit))}${data}`, tail: '' };
    },
  },
  compile: (node, cx) => ({ data: cx.value(node.data ?? null) }),
  exec: { leaf: true, toolCall: false },
  async run(rt, node, frame, key) {
    await rt.emit(key, node.spec.emit, rt.evaluate(node.c.data, frame, node.refs));
    return null;
  },
});
