import { z } from 'zod';
import { type Common, common, Json, noDetach, noFields, noLint, noLocals } from './common.ts';
import type { Compiled } from './kind.ts';
import { defineKind } from './kind.ts';

export type ValueNodeT = Common & { value: unknown };

export const ValueNode = z.object({ ...common, value: Json }).strict();

/** `value`: a literal or an expression, computed in the node's scope. */
export const valueKind = defineKind<ValueNodeT, { value: Compiled }>({
  key: 'value',
  summary: 'A literal, or an expression over earlier outputs.',
  schema: ValueNode,
  parts: (n) => [{ part: 'site', key: 'value', role: 'value', value: n.value }],
  shape: { fieldsAt: noFields, detach: noDetach, lint: noLint },
  types: {
    local: noLocals,
    output(t) {
      const v = t.node.value;
      if (typeof v === 'string' && v.includes('${')) {
        const type = t.siteAt('value');
        return type ? t.outputOf(type) : 'dyn';
      }
      return t.literal(v);
    },
  },
  compact: {
    word: 'value',
    block: false,
    options: [],
    commonFirst: false,
    head(r, node) {
      node.value = r.value('head', true, 'a value or expression after "value"');
    },
    tail() {},
    print: (w, node) => ({ head: w.startValue(node.value), tail: '' }),
  },
  compile: (node, cx) => ({ value: cx.value(node.value) }),
  exec: { leaf: true, toolCall: false },
  run: (rt, node, frame) => rt.evaluate(node.c.value, frame, node.refs),
});
