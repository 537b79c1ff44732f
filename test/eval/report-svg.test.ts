// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans hold CEL `${ }` expressions, not JS templates
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  esc,
  graphSvg,
  layoutLayers,
  peakParallelism,
  plannedNodeCount,
  statusClass,
  timelineSvg,
} from '../../src/eval/report-svg.ts';
import type { NodeSpan, PlanTrace } from '../../src/eval/run-trace.ts';
import { buildPlanGraph } from '../../src/plan/plan-graph.ts';

function spanOf(over: Partial<NodeSpan> & { key: string }): NodeSpan {
  return {
    node: over.key.split('/')[0]!,
    kind: 'call',
    start: 0,
    end: 10,
    status: 'succeeded',
    attempts: 1,
    failedAttempts: [],
    retries: 0,
    topLevel: !over.key.includes('/'),
    ...over,
  };
}

function traceOf(plan: unknown, spans: NodeSpan[], critical: string[] = []): PlanTrace {
  return {
    index: 0,
    plan,
    startedAt: 0,
    makespanMs: Math.max(0, ...spans.map((s) => s.end)),
    status: 'succeeded',
    spans,
    critical: { ms: 0, path: critical },
    compensations: [],
  };
}

const plan = {
  version: 1,
  nodes: [
    { id: 'list', call: 'get_list', args: {} },
    {
      id: 'each',
      map: '${list}',
      do: [
        { id: 'fetch', call: 'fetch_item', args: { id: '${item}' }, retry: { attempts: 3 } },
        { id: 'shape', value: '${fetch.name}' },
      ],
    },
    { id: 'pay', call: 'charge', args: { n: '${each}' }, compensate: { call: 'refund', args: {} } },
    { id: 'mail', call: 'send_email', args: { to: '${pay}' }, approval: true },
  ],
};

/** The opening tags of the drawn nodes, by node id. */
function nodeTags(svg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of svg.matchAll(/<g class="node [^"]*"[^>]*data-node="([^"]*)"[^>]*>/g))
    out.set(m[1]!, m[0]);
  return out;
}

describe('esc', () => {
  it('escapes the five XML-significant characters', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
    expect(esc(42)).toBe('42');
    expect(esc(null)).toBe('null');
  });

  it('leaves no raw < > " \' and no bare & (property)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const out = esc(text);
        expect(out).not.toMatch(/[<>"']/);
        expect(out).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
        const back = out
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&amp;/g, '&');
        expect(back).toBe(text);
      }),
    );
  });
});

describe('statusClass', () => {
  it('passes known statuses, turns anything else into "pending"', () => {
    for (const s of [
      'succeeded',
      'failed',
      'skipped',
      'cancelled',
      'waiting',
      'running',
      'compensated',
      'pending',
    ]) {
      expect(statusClass(s)).toBe(s);
    }
    expect(statusClass('x" onload="alert(1)')).toBe('pending');
    expect(statusClass('')).toBe('pending');
  });
});

describe('layoutLayers', () => {
  it('puts a node one column after its deepest dependency and right of its enclosing node', () => {
    const graph = buildPlanGraph(plan as never);
    const layers = layoutLayers(graph.all);
    const byId = Object.fromEntries(graph.all.map((n) => [n.id, layers.get(n)]));
    expect(byId).toEqual({ list: 0, each: 1, fetch: 2, shape: 3, pay: 2, mail: 3 });
  });

  it('does not loop on a cycle', () => {
    const graph = buildPlanGraph({
      nodes: [
        { id: 'a', value: '${b}' },
        { id: 'b', value: '${a}' },
      ],
    } as never);
    const layers = layoutLayers(graph.all);
    expect(layers.size).toBe(2);
  });
});

describe('graphSvg', () => {
  it('draws every node of the plan, nested ones included', () => {
    const svg = graphSvg(traceOf(plan, []));
    expect(plannedNodeCount(plan)).toBe(6);
    expect([...nodeTags(svg).keys()].sort()).toEqual([
      'each',
      'fetch',
      'list',
      'mail',
      'pay',
      'shape',
    ]);
    expect(svg.startsWith('<svg class="graph" viewBox="0 0 ')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    // Not run: every node is pending.
    for (const tag of nodeTags(svg).values()) expect(tag).toContain('class="node pending');
  });

  it('draws an edge per dependency and a nesting edge per body node', () => {
    const svg = graphSvg(traceOf(plan, []));
    // list→each, each→pay, pay→mail, fetch→shape; nesting: each→fetch, each→shape.
    expect(svg.match(/<path class="edge"/g)).toHaveLength(4);
    expect(svg.match(/<path class="edge nest"/g)).toHaveLength(2);
  });

  it('colours nodes by their worst instance and tags instances, retries, saga and approval', () => {
    const spans = [
      spanOf({ key: 'list' }),
      spanOf({ key: 'each', kind: 'map' }),
      spanOf({ key: 'fetch/0' }),
      spanOf({
        key: 'fetch/1',
        retries: 2,
        attempts: 3,
        status: 'failed',
        error: 'ToolError: <boom>',
      }),
      spanOf({ key: 'fetch/2', status: 'cancelled' }),
      spanOf({ key: 'pay', status: 'compensated' }),
      spanOf({ key: 'mail', status: 'waiting' }),
    ];
    const svg = graphSvg(traceOf(plan, spans, ['list', 'each', 'pay', 'mail']));
    const tags = nodeTags(svg);
    expect(tags.get('fetch')).toContain('class="node failed"');
    expect(tags.get('pay')).toContain('class="node compensated crit"');
    expect(tags.get('mail')).toContain('class="node waiting crit"');
    expect(tags.get('list')).toContain('class="node succeeded crit"');
    // Nested nodes are never marked critical themselves.
    expect(tags.get('shape')).toContain('class="node pending"');
    expect(svg).toContain('>×3 ↻2</text>');
    expect(svg).toContain('>saga</text>');
    expect(svg).toContain('>approval</text>');
    expect(svg).toContain(
      'fetch (fetch_item): failed, 3 instances, 2 retried attempt(s)\nToolError: &lt;boom&gt;',
    );
    // Edges between two critical nodes are critical.
    expect(svg.match(/<path class="edge crit"/g)).toHaveLength(3);
  });

  it('escapes everything that came from the plan or a tool', () => {
    const evil = {
      version: 1,
      nodes: [
        { id: 'x', call: '<script>alert("t")</script>', args: {} },
        { id: 'y', call: "it's & <b>", args: { a: '${x}' } },
      ],
    };
    const svg = graphSvg(
      traceOf(evil, [
        spanOf({ key: 'x', status: 'failed', error: '"><img src=x onerror=alert(1)>' }),
      ]),
    );
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<img');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;script&gt;alert(&quot;t&quot;)');
    expect(svg).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    // Every tag in the output is one the drawing code writes.
    const tags = new Set([...svg.matchAll(/<\/?([a-z]+)/g)].map((m) => m[1]));
    expect([...tags].sort()).toEqual(['g', 'path', 'rect', 'svg', 'text', 'title']);
  });

  it('clips long ids and tool names with an ellipsis', () => {
    const long = {
      version: 1,
      nodes: [
        { id: 'a_really_long_node_identifier', call: 'an_extremely_long_tool_name_here', args: {} },
      ],
    };
    const svg = graphSvg(traceOf(long, []));
    expect(svg).toContain('>a_really_long_nod…</text>');
    expect(svg).toContain('>an_extremely_long_t…</text>');
    // The tooltip keeps the full text.
    expect(svg).toContain(
      '<title>a_really_long_node_identifier (an_extremely_long_tool_name_here): pending</title>',
    );
  });

  it('sizes the drawing to its columns and rows', () => {
    const wide = {
      version: 1,
      nodes: ['a', 'b', 'c', 'd'].map((id, i, all) => ({
        id,
        value: i ? `\${${all[i - 1]}}` : '1',
      })),
    };
    const tall = { version: 1, nodes: ['a', 'b', 'c', 'd'].map((id) => ({ id, value: '1' })) };
    const size = (svg: string) => /width="(\d+)" height="(\d+)"/.exec(svg)!.slice(1).map(Number);
    // 4 columns: 20 + 4*190 - 40 = 740 wide; 1 row: 70 high (the minimum).
    expect(size(graphSvg(traceOf(wide, [])))).toEqual([740, 70]);
    // 1 column: the minimum 200 wide; 4 rows: 20 + 4*56 - 14 = 230 high.
    expect(size(graphSvg(traceOf(tall, [])))).toEqual([200, 230]);
  });
});

describe('timelineSvg', () => {
  it('draws one row per span, nested spans indented, retries marked', () => {
    const spans = [
      spanOf({ key: 'list', start: 0, end: 100 }),
      spanOf({
        key: 'fetch/0',
        start: 100,
        end: 200,
        attempts: 3,
        failedAttempts: [130, 160],
        retries: 2,
      }),
      spanOf({ key: 'pay', start: 200, end: 250, status: 'failed', error: 'Err: <x>' }),
    ];
    const svg = timelineSvg(traceOf(plan, spans));
    const rows = [...svg.matchAll(/<g class="span ([^"]*)" data-node="([^"]*)">/g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(rows).toEqual([
      ['succeeded', 'list'],
      ['succeeded nested', 'fetch'],
      ['failed', 'pay'],
    ]);
    expect(svg.match(/<line class="retry"/g)).toHaveLength(2);
    expect(svg).toContain('>3 tries</text>');
    expect(svg).toContain('Err: &lt;x&gt;');
    expect(svg).toContain('<text class="label" x="14" y="60">fetch/0</text>');
    // The axis spans the run: 0 to 250 ms in five steps.
    expect([...svg.matchAll(/>(\d+) ms<\/text>/g)].map((m) => Number(m[1]))).toEqual([
      0, 50, 100, 150, 200, 250,
    ]);
  });

  it('scales bars to the plot: start and width in proportion, at least 3 px wide', () => {
    const spans = [
      spanOf({ key: 'a', start: 0, end: 500 }),
      spanOf({ key: 'b', start: 500, end: 500 }),
    ];
    const svg = timelineSvg({ ...traceOf({ version: 1, nodes: [] }, spans), makespanMs: 1000 });
    const rects = [...svg.matchAll(/<rect x="([\d.]+)" y="\d+" width="([\d.]+)"/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    // Label column 170 px, plot 620 px for 1000 ms.
    expect(rects).toEqual([
      [170, 310],
      [480, 3],
    ]);
  });

  it('draws at most 120 rows and says how many more there were', () => {
    const spans = Array.from({ length: 130 }, (_, i) =>
      spanOf({ key: `n${i}`, start: i, end: i + 1 }),
    );
    const svg = timelineSvg(traceOf({ version: 1, nodes: [] }, spans));
    expect(svg.match(/<g class="span /g)).toHaveLength(120);
    expect(svg).toContain('… 10 more node instances');
  });

  it('escapes span keys and statuses it does not know', () => {
    const svg = timelineSvg(
      traceOf({ version: 1, nodes: [] }, [
        spanOf({ key: '<k>', status: 'bogus" x="1' as NodeSpan['status'] }),
      ]),
    );
    expect(svg).toContain('class="span pending"');
    expect(svg).toContain('data-node="&lt;k&gt;"');
    expect(svg).not.toContain('<k>');
  });
});

describe('peakParallelism', () => {
  it('counts overlapping spans; back-to-back spans do not overlap; instants do not count', () => {
    expect(peakParallelism([])).toBe(0);
    expect(
      peakParallelism([
        spanOf({ key: 'a', start: 0, end: 10 }),
        spanOf({ key: 'b', start: 10, end: 20 }),
      ]),
    ).toBe(1);
    expect(
      peakParallelism([
        spanOf({ key: 'a', start: 0, end: 30 }),
        spanOf({ key: 'b', start: 5, end: 10 }),
        spanOf({ key: 'c', start: 8, end: 12 }),
        spanOf({ key: 'd', start: 11, end: 40 }),
        spanOf({ key: 'e', start: 9, end: 9 }),
      ]),
    ).toBe(3);
  });

  it('equals the brute-force maximum over time (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 20 })), {
          maxLength: 12,
        }),
        (pairs) => {
          const spans = pairs.map(([start, len], i) =>
            spanOf({ key: `s${i}`, start, end: start + len }),
          );
          let brute = 0;
          for (let t = 0; t <= 70; t += 0.5) {
            brute = Math.max(brute, spans.filter((s) => s.start <= t && t < s.end).length);
          }
          expect(peakParallelism(spans)).toBe(brute);
        },
      ),
    );
  });
});
