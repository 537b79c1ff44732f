import { z } from 'zod';
import {
  BudgetExceededError,
  ExpressionError,
  ToleranceExceededError,
} from '../../errors/runtime-errors.ts';
import {
  Body,
  type Common,
  common,
  Json,
  NodeId,
  noDetach,
  noFields,
  noLint,
  type PlanNodeLike,
} from './common.ts';
import type { Compiled, CompiledList, CompiledNode, KindRuntime, RunScope } from './kind.ts';
import { defineKind } from './kind.ts';

export type MapNodeT = Common & {
  map: unknown;
  as?: string;
  do: PlanNodeLike[];
  concurrency?: number;
  tolerate?: number;
};

export const MapNode: z.ZodType<MapNodeT> = z
  .object({
    ...common,
    map: Json.describe('A list, or an expression giving one.'),
    as: NodeId.describe('Name of the current item in the body (default "item").').optional(),
    do: Body,
    concurrency: z.number().int().min(1).optional(),
    tolerate: z.number().min(0).max(1).describe('Fraction of items allowed to fail.').optional(),
  })
  .strict();

export interface MapCompiled {
  list: Compiled;
  body: CompiledList;
}

export function asList(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) {
    throw new ExpressionError(`${what} must be a list, got ${v === null ? 'null' : typeof v}`, {
      code: 'expression_type',
      retryable: false,
    });
  }
  return v;
}

/** Items one `map` may run over unless the caller raises it (`limits.max_items`). */
export const DEFAULT_MAX_ITEMS = 10_000;

/** A list longer than `max_items` fails the map before any item runs or is journaled. */
export function checkItemCount(key: string, n: number, max: number): void {
  if (n <= max) return;
  throw new BudgetExceededError(
    `map ${key} has ${n} items, more than max_items (${max}); raise limits.max_items in ` +
      'executePlan options to run it, or page through the list in smaller maps',
    { code: 'max_items', retryable: false, details: { node: key, items: n, max_items: max } },
  );
}

function itemName(node: Readonly<Record<string, unknown>>): string {
  return typeof node.as === 'string' ? node.as : 'item';
}

/**
 * A pool of `concurrency` workers over the items; each item runs the body in its own frame
 * (`as`, `index` bound; instance keys get `/index`). Failures beyond `tolerate` (a fraction
 * of the items) fail the map and cancel the items in flight.
 */
async function runMap(
  rt: KindRuntime,
  node: CompiledNode<MapNodeT, MapCompiled>,
  frame: RunScope,
  key: string,
): Promise<unknown[]> {
  const spec = node.spec;
  const items = asList(rt.evaluate(node.c.list, frame, node.refs), `"map" of ${node.id}`);
  const n = items.length;
  checkItemCount(key, n, rt.maxItems);
  const results: unknown[] = new Array(n).fill(null);
  const as = spec.as ?? 'item';
  const allowed = spec.tolerate === undefined ? 0 : Math.floor(spec.tolerate * n);
  const pool = rt.child(frame);
  let next = 0;
  let failures = 0;
  let fatal: unknown;
  const worker = async () => {
    while (next < n && fatal === undefined) {
      const i = next++;
      const itemFrame = rt.child(pool, {
        vars: new Map<string, unknown>([
          [as, items[i]],
          ['index', i],
        ]),
        suffix: `${frame.suffix}/${i}`,
      });
      try {
        results[i] = await rt.runBody(node.c.body, itemFrame);
      } catch (error) {
        // A spent budget stops the map whatever `tolerate` allows: no other item can run.
        if (pool.signal.aborted || rt.isSuspension(error) || error instanceof BudgetExceededError) {
          fatal ??= error;
          return;
        }
        failures += 1;
        if (failures > allowed) {
          fatal =
            spec.tolerate === undefined
              ? error
              : new ToleranceExceededError(
                  `${failures} of ${n} items of ${key} failed, more than tolerate=${spec.tolerate} allows; first: ${(error as Error).message}`,
                  { cause: error, retryable: false, details: { failed: failures, items: n } },
                );
          if (fatal !== error) rt.tagErrorNode(fatal, rt.errorNode(error) ?? key);
          pool.controller.abort(fatal);
          return;
        }
      }
    }
  };
  const width = Math.min(n, spec.concurrency ?? rt.mapConcurrency);
  const workers: Promise<void>[] = [];
  for (let w = 0; w < width; w++) workers.push(worker());
  try {
    await Promise.all(workers);
  } finally {
    pool.dispose();
  }
  if (fatal !== undefined) throw frame.signal.aborted ? frame.signal.reason : fatal;
  return results;
}

/** `map`: runs its body once per item of a list, in parallel up to `concurrency`. */
export const mapKind = defineKind<MapNodeT, MapCompiled>({
  key: 'map',
  summary: 'Runs `do` once per item of a list (`as`, `index` bound); output the list of results.',
  schema: MapNode,
  parts: (n) => [
    { part: 'site', key: 'map', role: 'map', value: n.map, expects: 'list' },
    { part: 'body', key: 'do', role: 'do', value: n.do, binds: [itemName(n), 'index'] },
  ],
  shape: { fieldsAt: noFields, detach: noDetach, lint: noLint },
  types: {
    local(name, role, t) {
      if (role !== 'do') return undefined;
      if (name === itemName(t.node)) return t.element(t.siteAt('map') ?? 'dyn');
      return name === 'index' ? 'dyn' : undefined;
    },
    output: (t) => `list<${t.body('do')}>`,
  },
  compact: {
    word: 'map',
    block: true,
    options: [
      { word: 'as', field: 'as', form: 'name', what: 'the item name' },
      { word: 'concurrency', field: 'concurrency', form: 'number', what: 'the concurrency' },
      {
        word: 'tolerate',
        field: 'tolerate',
        form: 'number',
        what: 'the tolerated failure fraction',
      },
    ],
    commonFirst: false,
    head(r, node) {
      node.map = r.value('head', true, 'the list to map over (map LIST as NAME {...})');
    },
    tail(r, node) {
      node.do = r.block('the map body');
    },
    print: (w, node) => ({
      head: `map ${w.value(node.map, 'head', true)}`,
      tail: ` ${w.block(node.do)}`,
    }),
  },
  compile: (node, cx) => ({ list: cx.value(node.map), body: cx.body('do') }),
  exec: { leaf: false, toolCall: false },
  run: runMap,
});
