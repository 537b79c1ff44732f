import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderReport, renderRunReport } from '../../src/eval/report-html.ts';
import { legendHtml } from '../../src/eval/report-svg.ts';
import { executePlan } from '../../src/exec/execute-plan.ts';
import { MemoryJournalStore } from '../../src/exec/journal-store.ts';
import { loadRegistry } from '../../src/tool/load-tools-module.ts';
import { TOOLS_MODULE, tempDir } from '../serve/support/serve-client.ts';
import { runCli } from '../support/run-cli.ts';

/** A saga: `a` succeeds, `b` fails for good, so `a` is undone. */
const SAGA = {
  version: 1,
  nodes: [
    {
      id: 'a',
      call: 'wait',
      args: { ms: 5, label: '<b>a</b>' },
      compensate: { call: 'wait', args: { ms: 5, label: 'undo-a' } },
    },
    { id: 'b', call: 'flaky', args: { fails: 9 }, after: ['a'] },
  ],
};
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the run report', () => {
  it('draws a legend, the plan text, each output or error, and compensations on the timeline', async () => {
    const store = new MemoryJournalStore();
    const result = await executePlan(SAGA, { tools: await loadRegistry([TOOLS_MODULE]), store });
    expect(result.status).toBe('failed');
    const events = await store.read(result.runId);
    expect(events.some((e) => e.type === 'compensation.finished')).toBe(true);
    const html = renderRunReport(result.runId, events);
    expect(html).toContain('class="legend"');
    expect(html).toContain('critical path</span>');
    expect(html).toContain('plan text</summary>');
    expect(html).toContain('&quot;undo-a&quot;');
    // The output is escaped, never markup.
    expect(html).toContain('&lt;b&gt;a&lt;/b&gt;');
    expect(html).not.toContain('<b>a</b>');
    expect(html).toMatch(
      /<g class="comp ok" data-node="a"><title>compensation of a \(wait\): undone/,
    );
    expect(html).toContain('flaky: attempt 1 fails');
    expect(html).toContain('1 compensation(s)');
  });

  it('says which fallback alternative ran, on the graph and on the timeline', async () => {
    const store = new MemoryJournalStore();
    const plan = {
      version: 1,
      nodes: [
        {
          id: 'g',
          call: 'flaky',
          args: { fails: 9 },
          fallback: [{ call: 'wait', args: { ms: 1, label: 'alt' } }],
        },
      ],
    };
    const result = await executePlan(plan, { tools: await loadRegistry([TOOLS_MODULE]), store });
    expect(result.status).toBe('succeeded');
    const html = renderRunReport(result.runId, await store.read(result.runId));
    expect(html).toContain('fallback taken: wait');
    expect(html).toContain('→alt');
    expect(html).toContain('via wait');
  });

  it('the eval report has the legend too', () => {
    const html = renderReport({ cases: [], passed: 0, failed: 0, wallMs: 0 } as never);
    expect(html).toContain(legendHtml());
  });

  it('`toolplan exec --report F.html` writes the run report from the journal', async () => {
    const dir = tempDir('toolplan-run-report-');
    dirs.push(dir);
    const plan = join(dir, 'plan.json');
    writeFileSync(plan, JSON.stringify(SAGA));
    const report = join(dir, 'run.html');
    const r = await runCli([
      'exec',
      plan,
      '--tools',
      TOOLS_MODULE,
      '--journal',
      join(dir, 'j'),
      '--report',
      report,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`written to ${report}`);
    expect(existsSync(report)).toBe(true);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<g class="comp ok"');
    expect(html).toMatch(/class="node failed[^"]*" data-node="b"/);
  }, 60_000);
});
