import { buildPlanGraph, type GraphNode } from '../plan/plan-graph.ts';
import type { NodeSpan, PlanTrace } from './run-trace.ts';

/**
 * The two pictures of an executed plan, as inline SVG strings: its graph laid out by
 * dependency depth, and a timeline of every node instance. Every string that came from a
 * plan, a tool or a model goes through `esc`. Pure.
 */

export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STATUSES = new Set([
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
  'waiting',
  'running',
  'compensated',
  'pending',
]);

/** A CSS class for a status; anything unknown becomes "pending", never raw text. */
export function statusClass(status: string): string {
  return STATUSES.has(status) ? status : 'pending';
}

const RANK: Record<string, number> = {
  failed: 6,
  compensated: 5,
  waiting: 4,
  cancelled: 3,
  running: 2,
  succeeded: 1,
  skipped: 0,
};

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const BOX_W = 150;
const BOX_H = 42;
const COL = 190;
const ROW = 56;

/** Column of each node: after its dependencies and right of its enclosing node. */
export function layoutLayers(nodes: readonly GraphNode[]): Map<GraphNode, number> {
  const layer = new Map<GraphNode, number>();
  const visiting = new Set<GraphNode>();
  const of = (n: GraphNode): number => {
    const known = layer.get(n);
    if (known !== undefined) return known;
    if (visiting.has(n)) return 0;
    visiting.add(n);
    let l = n.parent ? of(n.parent) + 1 : 0;
    for (const dep of n.deps) {
      const d = n.list.byId.get(dep);
      if (d) l = Math.max(l, of(d) + 1);
    }
    visiting.delete(n);
    layer.set(n, l);
    return l;
  };
  for (const n of nodes) of(n);
  return layer;
}

/** Number of nodes the graph of a plan draws: every node, nested ones included. */
export function plannedNodeCount(plan: unknown): number {
  return buildPlanGraph(plan as { nodes?: unknown }).all.length;
}

export function graphSvg(trace: PlanTrace): string {
  const graph = buildPlanGraph(trace.plan as { nodes?: unknown; output?: unknown });
  const layers = layoutLayers(graph.all);
  const rows = new Map<number, number>();
  const pos = new Map<GraphNode, { x: number; y: number }>();
  for (const n of graph.all) {
    const l = layers.get(n) ?? 0;
    const r = rows.get(l) ?? 0;
    rows.set(l, r + 1);
    pos.set(n, { x: 10 + l * COL, y: 10 + r * ROW });
  }
  const width = Math.max(200, 20 + (Math.max(0, ...layers.values()) + 1) * COL - (COL - BOX_W));
  const height = Math.max(70, 20 + Math.max(1, ...rows.values()) * ROW - (ROW - BOX_H));
  const byNode = new Map<string, NodeSpan[]>();
  for (const s of trace.spans) byNode.set(s.node, [...(byNode.get(s.node) ?? []), s]);
  const critical = new Set(trace.critical.path);
  const edges: string[] = [];
  const boxes: string[] = [];
  for (const n of graph.all) {
    const to = pos.get(n)!;
    for (const dep of n.deps) {
      const d = n.list.byId.get(dep);
      const from = d && pos.get(d);
      if (from)
        edges.push(edge(from, to, critical.has(dep) && critical.has(n.id) ? 'edge crit' : 'edge'));
    }
    if (n.parent) edges.push(edge(pos.get(n.parent)!, to, 'edge nest'));
    const spans = byNode.get(n.id) ?? [];
    const status = spans.length
      ? spans.reduce((a, s) => ((RANK[s.status] ?? 0) > (RANK[a] ?? 0) ? s.status : a), 'skipped')
      : 'pending';
    const retries = spans.reduce((k, s) => k + s.retries, 0);
    const raw = n.node as Record<string, unknown>;
    const what = n.kind === 'call' ? String(raw.call) : (n.kind ?? '?');
    const fallback = spans.find((s) => s.fallback)?.fallback;
    const tags = [
      spans.length > 1 ? `×${spans.length}` : '',
      retries ? `↻${retries}` : '',
      fallback ? '→alt' : '',
      raw.compensate ? 'saga' : '',
      raw.approval ? 'approval' : '',
    ].filter(Boolean);
    const tip = `${n.id} (${what}): ${status}${spans.length > 1 ? `, ${spans.length} instances` : ''}${retries ? `, ${retries} retried attempt(s)` : ''}${fallback ? `, fallback taken: ${fallback}` : ''}${spans.find((s) => s.error) ? `\n${spans.find((s) => s.error)!.error}` : ''}`;
    boxes.push(
      `<g class="node ${statusClass(status)}${critical.has(n.id) && !n.parent ? ' crit' : ''}" data-node="${esc(n.id)}" transform="translate(${to.x},${to.y})">` +
        `<title>${esc(tip)}</title><rect width="${BOX_W}" height="${BOX_H}" rx="8"/>` +
        `<text x="10" y="17" class="id">${esc(clip(n.id, 18))}</text>` +
        `<text x="10" y="33" class="kind">${esc(clip(what, 20))}</text>` +
        (tags.length
          ? `<text x="${BOX_W - 8}" y="17" class="tag" text-anchor="end">${esc(tags.join(' '))}</text>`
          : '') +
        '</g>',
    );
  }
  return `<svg class="graph" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="plan graph">${edges.join('')}${boxes.join('')}</svg>`;
}

function edge(from: { x: number; y: number }, to: { x: number; y: number }, cls: string): string {
  const x1 = from.x + BOX_W;
  const y1 = from.y + BOX_H / 2;
  const x2 = to.x;
  const y2 = to.y + BOX_H / 2;
  const mid = (x1 + x2) / 2;
  return `<path class="${cls}" d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}"/>`;
}

const LABEL_W = 170;
const PLOT_W = 620;
const BAR_H = 16;
const LANE = 22;
const MAX_ROWS = 120;

/** Peak number of node instances running at once (call-like leaves only). */
export function peakParallelism(spans: readonly NodeSpan[]): number {
  const points = spans
    .filter((s) => s.end > s.start)
    .flatMap((s) => [
      { t: s.start, d: 1 },
      { t: s.end, d: -1 },
    ])
    .sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let peak = 0;
  for (const p of points) {
    now += p.d;
    peak = Math.max(peak, now);
  }
  return peak;
}

export function timelineSvg(trace: PlanTrace): string {
  const spans = trace.spans.slice(0, MAX_ROWS);
  const total = Math.max(
    1,
    trace.makespanMs,
    ...spans.map((s) => s.end),
    ...trace.compensations.map((c) => c.at),
  );
  const scale = PLOT_W / total;
  const height = 30 + spans.length * LANE + (trace.spans.length > MAX_ROWS ? LANE : 0);
  const width = LABEL_W + PLOT_W + 60;
  const parts: string[] = [];
  const ticks = 5;
  for (let i = 0; i <= ticks; i++) {
    const t = (total * i) / ticks;
    const x = LABEL_W + t * scale;
    parts.push(
      `<line class="tick" x1="${x}" y1="18" x2="${x}" y2="${height}"/>` +
        `<text class="axis" x="${x}" y="12" text-anchor="middle">${Math.round(t)} ms</text>`,
    );
  }
  spans.forEach((s, i) => {
    const y = 26 + i * LANE;
    const x = LABEL_W + s.start * scale;
    const w = Math.max(3, (s.end - s.start) * scale);
    const nested = s.topLevel ? '' : ' nested';
    const tip = `${s.key} (${s.kind}) ${s.status}: ${s.start}–${s.end} ms, ${s.end - s.start} ms${s.attempts > 1 ? `, ${s.attempts} attempts` : ''}${s.fallback ? `, ran fallback ${s.fallback}` : ''}${s.error ? `\n${s.error}` : ''}`;
    parts.push(
      `<g class="span ${statusClass(s.status)}${nested}" data-node="${esc(s.node)}">` +
        `<title>${esc(tip)}</title>` +
        `<text class="label" x="${s.topLevel ? 4 : 14}" y="${y + 12}">${esc(clip(s.key, s.topLevel ? 24 : 22))}</text>` +
        `<rect x="${x}" y="${y}" width="${w}" height="${BAR_H}" rx="3"/>` +
        s.failedAttempts
          .map(
            (t) =>
              `<line class="retry" x1="${LABEL_W + t * scale}" y1="${y - 2}" x2="${LABEL_W + t * scale}" y2="${y + BAR_H + 2}"/>`,
          )
          .join('') +
        (s.attempts > 1 || s.fallback
          ? `<text class="tries" x="${x + w + 4}" y="${y + 12}">${esc([s.attempts > 1 ? `${s.attempts} tries` : '', s.fallback ? `via ${clip(s.fallback, 24)}` : ''].filter(Boolean).join(', '))}</text>`
          : '') +
        '</g>',
    );
  });
  parts.push(...compensationBars(trace, spans, scale));
  if (trace.spans.length > MAX_ROWS) {
    parts.push(
      `<text class="axis" x="4" y="${height - 6}">… ${trace.spans.length - MAX_ROWS} more node instances</text>`,
    );
  }
  return `<svg class="timeline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="timeline">${parts.join('')}</svg>`;
}

/** A saga's undo calls, drawn on the row of the node they undo, after its own bar. */
function compensationBars(trace: PlanTrace, rows: readonly NodeSpan[], scale: number): string[] {
  return trace.compensations.flatMap((c) => {
    const row = rows.findIndex((s) => s.key === c.key);
    if (row < 0) return [];
    const y = 26 + row * LANE;
    const x = LABEL_W + c.start * scale;
    const w = Math.max(3, (c.at - c.start) * scale);
    const tip = `compensation of ${c.key}${c.tool ? ` (${c.tool})` : ''}: ${c.ok ? 'undone' : 'failed'}, ${c.start}–${c.at} ms`;
    return [
      `<g class="comp ${c.ok ? 'ok' : 'failed'}" data-node="${esc(c.key.split('/')[0] ?? c.key)}"><title>${esc(tip)}</title>` +
        `<rect x="${x}" y="${y + 3}" width="${w}" height="${BAR_H - 6}" rx="2"/>` +
        `<text class="tries" x="${x + w + 4}" y="${y + 12}">↶ undo</text></g>`,
    ];
  });
}

const LEGEND: [string, string][] = [
  ['pending', 'not started'],
  ['running', 'running'],
  ['succeeded', 'succeeded'],
  ['failed', 'failed'],
  ['waiting', 'waiting for approval'],
  ['skipped', 'skipped'],
  ['cancelled', 'cancelled'],
  ['compensated', 'compensated (undone)'],
];

/** What the colours and marks of the two pictures mean, as HTML. */
export function legendHtml(): string {
  const boxes = LEGEND.map(
    ([cls, label]) =>
      `<span><svg width="16" height="12" aria-hidden="true"><g class="node ${cls}"><rect x="1" y="1" width="14" height="10" rx="3"/></g></svg>${esc(label)}</span>`,
  ).join('');
  const marks =
    '<span><svg width="22" height="12" aria-hidden="true"><path class="edge crit" d="M1,6 L21,6"/></svg>critical path</span>' +
    '<span><svg width="12" height="12" aria-hidden="true"><line class="retry" x1="6" y1="0" x2="6" y2="12"/></svg>failed attempt (retried)</span>' +
    '<span><svg width="22" height="12" aria-hidden="true"><g class="comp ok"><rect x="1" y="3" width="20" height="6" rx="2"/></g></svg>compensation</span>' +
    '<span>×n instances · ↻n retries · →alt fallback taken · saga · approval</span>';
  return `<p class="legend" aria-label="legend">${boxes}${marks}</p>`;
}
