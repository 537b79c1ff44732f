import type { BfclSummary, CaseResult, SuiteResult } from './case-result.ts';

/** The eval table as plain text: one row per case, then totals. Pure. */
export function formatTable(suite: SuiteResult): string {
  const header = [
    'case',
    'pattern',
    'wire',
    'result',
    'llm',
    'tokens in/out',
    'tools',
    'wall ms',
    'makespan/cp',
  ];
  const rows = suite.cases.map((c) => [
    c.name,
    c.pattern,
    `${c.provider}${c.mode === 'react' ? ' react' : ''}`,
    c.passed ? 'pass' : 'FAIL',
    String(c.usage.llmCalls),
    `${c.usage.inputTokens}/${c.usage.outputTokens}`,
    String(c.toolCalls.length),
    String(Math.round(c.wallMs)),
    formatRatio(c.ratio),
  ]);
  const sum = (f: (c: CaseResult) => number) => suite.cases.reduce((n, c) => n + f(c), 0);
  const makespan = sum((c) => c.makespanMs);
  const critical = sum((c) => c.criticalMs);
  rows.push([
    `total (${suite.cases.length})`,
    '',
    '',
    `${suite.passed} pass, ${suite.failed} fail`,
    String(sum((c) => c.usage.llmCalls)),
    `${sum((c) => c.usage.inputTokens)}/${sum((c) => c.usage.outputTokens)}`,
    String(sum((c) => c.toolCalls.length)),
    String(Math.round(suite.wallMs)),
    formatRatio(critical > 0 ? makespan / critical : undefined),
  ]);
  const lines = [renderRows(header, rows)];
  for (const c of suite.cases.filter((x) => !x.passed)) {
    lines.push(`FAIL ${c.name}:`);
    for (const f of c.failures) lines.push(`  - ${f}`);
  }
  if (suite.bfcl) lines.push(formatBfcl(suite.bfcl));
  return lines.join('\n');
}

export function formatBfcl(b: BfclSummary): string {
  const pct = b.total ? ((100 * b.passed) / b.total).toFixed(1) : '0.0';
  const cats = Object.entries(b.byCategory)
    .map(([k, v]) => `${k} ${v.passed}/${v.total}`)
    .join(', ');
  const lines = [
    `BFCL: ${b.passed}/${b.total} (${pct}%) in ${Math.round(b.wallMs)} ms; ${cats}`,
    `BFCL plans the validator rejected: ${b.rejected.length}`,
  ];
  for (const r of b.rejected.slice(0, 20)) lines.push(`  - ${r.id}: ${r.reason}`);
  for (const f of b.failures.filter((f) => !b.rejected.some((r) => r.id === f.id)).slice(0, 20)) {
    lines.push(`  FAIL ${f.id}: ${f.reason}`);
  }
  return lines.join('\n');
}

export function formatRatio(ratio: number | undefined): string {
  return ratio === undefined ? '-' : `${ratio.toFixed(2)}x`;
}

function renderRows(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = new Set([4, 5, 6, 7, 8]);
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const body = rows.map(line);
  return [line(header), rule, ...body.slice(0, -1), rule, body[body.length - 1]!].join('\n');
}
