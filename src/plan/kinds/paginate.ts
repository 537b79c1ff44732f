import { z } from 'zod';
import {
  CALL_SPEC_FIELDS,
  CallSpec,
  type CallSpecT,
  capIssues,
  common,
  Expr,
  isObject,
  noDetach,
} from './common.ts';
import type { Compiled, CompiledNode, KindRuntime, RunScope } from './kind.ts';
import { defineKind, type KindIssue, type KindPart } from './kind.ts';
import { asList } from './map.ts';

export const PaginateNode = z
  .object({
    ...common,
    paginate: CallSpec.describe('`cursor` (null at first) is in scope of args.'),
    next: Expr.describe('Next cursor from `page`; null stops.'),
    items: Expr.describe('The items of `page`.'),
    max_pages: z.number().int().min(1),
  })
  .strict();
export type PaginateNodeT = z.infer<typeof PaginateNode>;

export interface PaginateCompiled {
  args: Compiled;
  next: Compiled;
  items: Compiled;
}

/** One journaled call per page (`key/page/k`), so a resume skips fetched pages. */
async function runPaginate(
  rt: KindRuntime,
  node: CompiledNode<PaginateNodeT, PaginateCompiled>,
  frame: RunScope,
  key: string,
): Promise<unknown[]> {
  const spec = node.spec;
  const all: unknown[] = [];
  let cursor: unknown = null;
  for (let p = 0; p < spec.max_pages; p++) {
    const page = await rt.subCall({
      key: `${key}/page/${p}`,
      kind: 'page',
      nodeId: node.id,
      call: spec.paginate.call,
      args: () => rt.evaluate(node.c.args, frame, node.refs, { cursor }),
      retry: spec.retry,
      timeoutMs: spec.timeout_ms,
      signal: frame.signal,
    });
    const scope = { page };
    const items = asList(rt.evaluate(node.c.items, frame, node.refs, scope), `"items" of ${key}`);
    for (const item of items) all.push(item);
    const next = rt.evaluate(node.c.next, frame, node.refs, scope);
    if (next === null || next === undefined) break;
    cursor = next;
  }
  return all;
}

function parts(n: Readonly<Record<string, unknown>>): KindPart[] {
  const out: KindPart[] = [];
  const p = n.paginate;
  if (isObject(p))
    out.push({
      part: 'site',
      key: 'paginate/args',
      role: 'paginate_args',
      value: p.args,
      binds: ['cursor'],
      expects: { args: p.call },
    });
  out.push({ part: 'site', key: 'next', role: 'next', value: n.next, binds: ['page'] });
  out.push({
    part: 'site',
    key: 'items',
    role: 'items',
    value: n.items,
    binds: ['page'],
    expects: 'list',
  });
  return out;
}

function lint(node: Readonly<Record<string, unknown>>, limits: { maxPages: number }): KindIssue[] {
  return capIssues(node, 'max_pages', limits.maxPages, 'pages');
}

/** `paginate`: calls a tool page after page, following `next`, collecting `items`. */
export const paginateKind = defineKind<PaginateNodeT, PaginateCompiled>({
  key: 'paginate',
  summary:
    'Calls a tool page by page (`cursor`, `page` bound) until `next` is null; output the items.',
  schema: PaginateNode,
  parts,
  shape: {
    fieldsAt: (suffix) => (suffix.endsWith('/paginate') ? CALL_SPEC_FIELDS : undefined),
    detach: noDetach,
    lint,
  },
  types: {
    local(name, role, t) {
      if (name === 'page' && (role === 'next' || role === 'items')) return t.tool();
      return name === 'cursor' && role === 'paginate_args' ? 'dyn' : undefined;
    },
    output(t) {
      const type = t.siteAt('items');
      return type && t.isList(type) ? t.outputOf(type) : 'list<dyn>';
    },
  },
  compact: {
    word: 'paginate',
    block: false,
    options: [
      { word: 'next', field: 'next', form: 'expr' },
      { word: 'items', field: 'items', form: 'expr' },
      { word: 'max', field: 'max_pages', form: 'number', what: 'the maximum' },
    ],
    commonFirst: false,
    head(r, node) {
      node.paginate = r.callTarget();
    },
    tail(r, node, at) {
      r.require(
        node,
        at,
        'a paginate',
        'paginate tool(cursor: cursor) next page.next items page.items max 50',
        [
          ['next', '"next EXPR"'],
          ['items', '"items EXPR"'],
          ['max_pages', '"max N"'],
        ],
      );
    },
    print: (w, node) => ({ head: `paginate ${w.target(node.paginate as CallSpecT)}`, tail: '' }),
  },
  compile: (node, cx) => ({
    args: cx.value(node.paginate.args ?? {}),
    next: cx.value(node.next),
    items: cx.value(node.items),
  }),
  exec: { leaf: true, toolCall: false },
  run: runPaginate,
});
