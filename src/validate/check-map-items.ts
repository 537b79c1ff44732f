import type { PlanGraph } from '../plan/graph-types.ts';
import { DEFAULT_MAX_ITEMS } from '../plan/kinds/map.ts';
import type { IssueList } from './issues.ts';

/**
 * A map over a literal list longer than `max_items` would fail at run time before any item
 * runs. Past the plan's own `limits.max_items` that is certain (an error); past only the
 * default it is a warning, since the caller may raise the limit.
 */
export function checkMapItems(limits: unknown, graph: PlanGraph, issues: IssueList): void {
  const given = (limits as { max_items?: unknown } | undefined)?.max_items;
  const own = typeof given === 'number' ? given : undefined;
  const max = own ?? DEFAULT_MAX_ITEMS;
  for (const node of graph.all) {
    if (node.kind !== 'map') continue;
    const list = (node.node as { map?: unknown }).map;
    if (!Array.isArray(list) || list.length <= max) continue;
    const text = `map ${node.id} lists ${list.length} items, more than max_items (${max})`;
    if (own !== undefined)
      issues.error(
        `${node.pointer}/map`,
        'too_many_items',
        `${text} set by the plan; raise the plan's limits.max_items or split the list`,
      );
    else
      issues.warn(
        `${node.pointer}/map`,
        'too_many_items',
        `${text}, the default; the run fails unless the caller raises limits.max_items`,
      );
  }
}
