import type { RunEvent } from '../exec/events.ts';
import type { CaseResult, SuiteResult } from './case-result.ts';
import { formatRatio } from './format-table.ts';
import {
  esc,
  graphSvg,
  legendHtml,
  peakParallelism,
  plannedNodeCount,
  statusClass,
  timelineSvg,
} from './report-svg.ts';
import { type PlanTrace, tracesFromEvents } from './run-trace.ts';

/**
 * The eval report: one self-contained HTML file (inline CSS, SVG and a small script; no
 * network) with a summary table and, per case, each plan's graph and timeline, the answer
 * and the usage. Tool results and answers are untrusted: everything is escaped, and no data
 * is ever placed inside the script. Pure: returns the page's text.
 */
/** The document head both reports share: one stylesheet, and a CSP that lets nothing load. */
function pageHead(title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style></head>
`;
}

export function renderReport(suite: SuiteResult, title = 'toolplan eval report'): string {
  const when = new Date().toISOString().replace('T', ' ').slice(0, 19);
  return `${pageHead(title)}<body data-cases="${suite.cases.length}">
<header><h1>${esc(title)}</h1>
<p class="sub">${suite.passed} passed · ${suite.failed} failed · ${suite.cases.length} cases · ${Math.round(suite.wallMs)} ms · ${esc(when)} UTC</p></header>
<main>
${summaryTable(suite)}
${suite.bfcl ? bfclSection(suite) : ''}
${legendHtml()}
${suite.cases.map(caseSection).join('\n')}
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}

function summaryTable(suite: SuiteResult): string {
  const rows = suite.cases
    .map(
      (c) => `<tr class="${c.passed ? 'pass' : 'fail'}">
<td><a href="#case-${esc(c.name)}">${esc(c.name)}</a></td><td>${esc(c.pattern)}</td>
<td>${esc(c.provider)}${c.mode === 'react' ? ' · react' : ''}</td>
<td><span class="badge ${c.passed ? 'pass' : 'fail'}">${c.passed ? 'pass' : 'fail'}</span></td>
<td class="n">${c.usage.llmCalls}</td><td class="n">${c.usage.inputTokens} / ${c.usage.outputTokens}</td>
<td class="n">${c.toolCalls.length}</td><td class="n">${Math.round(c.wallMs)}</td>
<td class="n">${esc(formatRatio(c.ratio))}</td><td>${bar(c)}</td></tr>`,
    )
    .join('\n');
  return `<section class="card"><h2>Summary</h2><table class="summary">
<thead><tr><th>case</th><th>pattern</th><th>wire</th><th>result</th><th>LLM calls</th><th>tokens in / out</th><th>tool calls</th><th>wall ms</th><th>makespan / critical path</th><th></th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
}

/** A tiny inline bar of the case's wall time relative to a second. */
function bar(c: CaseResult): string {
  const w = Math.min(100, Math.max(2, (c.wallMs / 1000) * 100));
  return `<span class="minibar"><span style="width:${w.toFixed(0)}%"></span></span>`;
}

function bfclSection(suite: SuiteResult): string {
  const b = suite.bfcl!;
  const pct = b.total ? ((100 * b.passed) / b.total).toFixed(1) : '0.0';
  const cats = Object.entries(b.byCategory)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td class="n">${v.passed} / ${v.total}</td></tr>`)
    .join('');
  const bad = [
    ...b.rejected.map((r) => ({ ...r, kind: 'rejected' })),
    ...b.failures.map((f) => ({ ...f, kind: 'failed' })),
  ]
    .slice(0, 50)
    .map((r) => `<li><b>${esc(r.id)}</b> ${esc(r.kind)}: ${esc(r.reason)}</li>`)
    .join('');
  return `<section class="card" id="bfcl"><h2>BFCL replay: ${b.passed} / ${b.total} (${pct}%)</h2>
<p>Each task's ground truth replayed as the planner's response through the whole loop, tools stubbed from their schemas, scored by an AST checker. Validator rejections: ${b.rejected.length}.</p>
<table class="summary narrow"><tbody>${cats}</tbody></table>${bad ? `<ul class="failures">${bad}</ul>` : ''}</section>`;
}

/**
 * One executed plan: its graph and timeline, the plan's text, and what each call returned
 * (or its error). The eval report and the run report draw plans with this.
 */
export function planSection(t: PlanTrace, of = 1): string {
  return `<div class="plan"><h4>plan ${t.index + 1}${of > 1 ? ` of ${of}` : ''} · <span class="st ${statusClass(t.status)}">${esc(t.status)}</span> · makespan ${t.makespanMs} ms · critical path ${t.critical.ms} ms (${esc(t.critical.path.join(' → ') || '-')}) · peak parallelism ${peakParallelism(t.spans.filter((s) => s.kind === 'call'))}${t.compensations.length ? ` · ${t.compensations.length} compensation(s)` : ''}</h4>
<div class="pics"><figure><figcaption>graph</figcaption>${graphSvg(t)}</figure>
<figure><figcaption>timeline</figcaption>${timelineSvg(t)}</figure></div>
${t.error ? `<p class="err">${esc(`${t.error.name}: ${t.error.message}`)}</p>` : ''}
<details><summary>plan text</summary><pre class="plan">${esc(JSON.stringify(t.plan, null, 2))}</pre></details>
${outputsTable(t)}</div>`;
}

const OUTPUT_CHARS = 4_000;

function outputsTable(t: PlanTrace): string {
  const rows = t.spans
    .filter((s) => s.output !== undefined || s.error)
    .map((s) => {
      const text = s.error ?? JSON.stringify(s.output, null, 2) ?? '';
      const clipped =
        text.length > OUTPUT_CHARS
          ? `${text.slice(0, OUTPUT_CHARS)}… (${text.length} characters)`
          : text;
      return `<tr><td><code>${esc(s.key)}</code></td><td>${esc(s.kind)}</td><td><span class="st ${statusClass(s.status)}">${esc(s.status)}</span></td><td><pre>${esc(clipped)}</pre></td></tr>`;
    });
  if (rows.length === 0) return '';
  return `<details><summary>${rows.length} node output(s)</summary><table class="outputs"><thead><tr><th>node</th><th>kind</th><th>status</th><th>output or error</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}

/**
 * The report of one journaled run (`toolplan exec --report F.html`): the same page, styles
 * and pictures as the eval report, for a single run and its output. Pure.
 */
export function renderRunReport(runId: string, events: readonly RunEvent[]): string {
  const traces = tracesFromEvents(events);
  const end = [...events].reverse().find((e) => e.type === 'run.finished');
  const status = traces.at(-1)?.status ?? 'unknown';
  const title = `toolplan run ${runId}`;
  const result =
    end?.type === 'run.finished'
      ? end.error
        ? traces.length
          ? '' // the plan's section already says why it failed
          : `<p class="err">${esc(`${end.error.name}: ${end.error.message}`)}</p>`
        : `<div class="answer"><h4>output</h4><pre>${esc(JSON.stringify(end.output ?? null, null, 2))}</pre></div>`
      : '';
  return `${pageHead(title)}<body data-cases="1">
<header><h1>${esc(title)}</h1>
<p class="sub">${esc(status)} · ${events.length} journal events · ${esc(new Date(events[0]?.at ?? 0).toISOString())}</p></header>
<main>
${legendHtml()}
<section class="card case" data-case="${esc(runId)}" data-expected-nodes="${traces.reduce((n, t) => n + plannedNodeCount(t.plan), 0)}">
${traces.map((t) => planSection(t, traces.length)).join('') || '<p class="none">No plan ran.</p>'}
${result}
</section>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}

function caseSection(c: CaseResult): string {
  const expected = c.traces.reduce((n, t) => n + plannedNodeCount(t.plan), 0);
  const plans = c.traces.map((t) => planSection(t, c.traces.length)).join('');
  const failures = c.failures.length
    ? `<ul class="failures">${c.failures.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>`
    : '';
  const calls = c.toolCalls.length
    ? `<details><summary>${c.toolCalls.length} tool call(s)</summary><ol class="calls">${c.toolCalls
        .map(
          (t) =>
            `<li><code>${esc(t.name)}</code> <code class="args">${esc(JSON.stringify(t.args))}</code></li>`,
        )
        .join('')}</ol></details>`
    : '';
  return `<section class="card case ${c.passed ? 'pass' : 'fail'}" id="case-${esc(c.name)}" data-case="${esc(c.name)}" data-expected-nodes="${expected}">
<h3><span class="badge ${c.passed ? 'pass' : 'fail'}">${c.passed ? 'pass' : 'fail'}</span> ${esc(c.name)} <small>${esc(c.pattern)} · ${esc(c.provider)} wire · ${esc(c.mode)} mode · ${esc(c.origin)}</small></h3>
<p class="task">${esc(c.task)}</p>
<div class="chips"><span>status <b>${esc(c.status)}</b></span><span>LLM calls <b>${c.usage.llmCalls}</b></span><span>tokens <b>${c.usage.inputTokens}</b> in · <b>${c.usage.outputTokens}</b> out</span><span>cost <b>$${c.usage.costUsd.toFixed(4)}</b></span><span>tool calls <b>${c.toolCalls.length}</b></span><span>wall <b>${Math.round(c.wallMs)} ms</b></span><span>makespan / critical path <b>${esc(formatRatio(c.ratio))}</b></span></div>
${failures}
${plans || '<p class="none">No plan ran: the model answered directly.</p>'}
<div class="answer"><h4>answer</h4><pre>${esc(c.answer ?? '(none)')}</pre></div>
${calls}
</section>`;
}

/** The report's styles; the console links the same sheet so both draw alike. */
export const REPORT_CSS = `
:root{--ok:#2f9e44;--bad:#e03131;--skip:#adb5bd;--warn:#f08c00;--wait:#fab005;--ink:#1f2933;--mute:#66727f;--line:#dde3ea;--bg:#f5f7fa}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header{padding:20px 28px;background:#1f2933;color:#fff}header h1{margin:0;font-size:22px}.sub{margin:4px 0 0;color:#c7d0d9}
main{padding:18px 28px;max-width:1500px}.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 18px;margin:0 0 16px}
h2{margin:0 0 10px;font-size:17px}h3{margin:0 0 6px;font-size:16px}h3 small{color:var(--mute);font-weight:400;margin-left:6px}h4{margin:10px 0 6px;font-size:13px;font-weight:500;color:var(--mute)}
table.summary{border-collapse:collapse;width:100%}table.summary.narrow{width:auto}.summary th,.summary td{padding:5px 9px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}.summary th{font-weight:600;color:var(--mute);font-size:12px}.n{text-align:right;font-variant-numeric:tabular-nums}
tr.fail td{background:#fff5f5}a{color:#1c7ed6;text-decoration:none}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}.badge.pass{background:var(--ok)}.badge.fail{background:var(--bad)}
.minibar{display:inline-block;width:80px;height:6px;background:#eef1f4;border-radius:3px;vertical-align:middle}.minibar span{display:block;height:6px;background:#74c0fc;border-radius:3px}
.case.fail{border-left:4px solid var(--bad)}.case.pass{border-left:4px solid var(--ok)}.task{margin:2px 0 8px;font-style:italic}
.chips{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0}.chips span{background:#eef1f4;border-radius:6px;padding:2px 8px;font-size:12px;color:var(--mute)}.chips b{color:var(--ink)}
.pics{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}figure{margin:0;overflow-x:auto;max-width:100%}figcaption{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--mute);margin-bottom:4px}
.failures{color:var(--bad);margin:6px 0}.err{color:var(--bad)}.none{color:var(--mute)}
.answer pre{background:#f8f9fb;border:1px solid var(--line);border-radius:6px;padding:8px 10px;white-space:pre-wrap;word-break:break-word;margin:0;max-height:260px;overflow:auto}
details{margin-top:8px}.calls code.args{color:var(--mute);font-size:12px;word-break:break-all}.st.succeeded{color:var(--ok)}.st.failed{color:var(--bad)}
svg text{font:12px system-ui,sans-serif;fill:var(--ink)}svg .kind{fill:var(--mute);font-size:11px}svg .id{font-weight:600}svg .tag{font-size:10px;fill:var(--mute)}
.node rect{fill:#fff;stroke:var(--skip);stroke-width:1.5}.node.succeeded rect{fill:#ebfbee;stroke:var(--ok)}.node.failed rect{fill:#fff5f5;stroke:var(--bad)}.node.compensated rect{fill:#fff4e6;stroke:var(--warn)}.node.waiting rect{fill:#fff9db;stroke:var(--wait)}.node.cancelled rect{fill:#f1f3f5;stroke:#868e96;stroke-dasharray:4 3}.node.skipped rect{fill:#f8f9fa;stroke:var(--skip);stroke-dasharray:3 3}.node.crit rect{stroke-width:3}
.edge{fill:none;stroke:#9aa5b1;stroke-width:1.5}.edge.crit{stroke:#1c7ed6;stroke-width:2.5}.edge.nest{stroke-dasharray:2 4;stroke:#c1c9d2}
.span rect{fill:var(--ok)}.span.failed rect{fill:var(--bad)}.span.skipped rect{fill:var(--skip)}.span.cancelled rect{fill:#868e96}.span.waiting rect{fill:var(--wait)}.span.compensated rect{fill:var(--warn)}.span.nested rect{opacity:.7}.span .label{font-size:11px}.span.nested .label{fill:var(--mute)}
.retry{stroke:var(--bad);stroke-width:2}.tries{font-size:10px;fill:var(--bad)}.tick{stroke:#eef1f4}.axis{font-size:10px;fill:var(--mute)}
.hl rect{stroke:#7048e8 !important;stroke-width:3 !important}
.node.running rect{fill:#e7f5ff;stroke:#1c7ed6}.span.running rect{fill:#1c7ed6}.comp rect{fill:var(--warn);opacity:.85}.comp.failed rect{fill:var(--bad)}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;color:var(--mute);margin:4px 0 8px}.legend span{display:inline-flex;align-items:center;gap:4px}
pre.plan,table.outputs pre{background:#f8f9fb;border:1px solid var(--line);border-radius:6px;padding:6px 8px;white-space:pre-wrap;word-break:break-word;max-height:320px;overflow:auto;margin:0;font-size:12px}
table.outputs{border-collapse:collapse;width:100%;margin-top:6px}table.outputs td,table.outputs th{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
`;

/**
 * Runs in the page: records errors and how many graph nodes each case actually drew (with a
 * laid-out box), so a headless browser's DOM dump says whether the page rendered; and links
 * a graph node to its timeline rows on hover. Reads only the DOM, never data.
 */
const SCRIPT = `(function(){
var errors=[];
window.addEventListener('error',function(e){errors.push(String(e.message||e));});
var ce=console.error;console.error=function(){errors.push(Array.prototype.join.call(arguments,' '));return ce.apply(console,arguments);};
function check(){
  try{
    document.querySelectorAll('section.case').forEach(function(s){
      var drawn=0;
      s.querySelectorAll('svg.graph g.node').forEach(function(g){var b=g.getBBox();if(b.width>0&&b.height>0)drawn++;});
      s.setAttribute('data-rendered-nodes',String(drawn));
      s.querySelectorAll('[data-node]').forEach(function(el){
        el.addEventListener('mouseenter',function(){var id=el.getAttribute('data-node');s.querySelectorAll('[data-node]').forEach(function(o){if(o.getAttribute('data-node')===id)o.classList.add('hl');});});
        el.addEventListener('mouseleave',function(){s.querySelectorAll('.hl').forEach(function(o){o.classList.remove('hl');});});
      });
    });
  }catch(e){errors.push(String(e&&e.message||e));}
  document.body.setAttribute('data-errors',JSON.stringify(errors));
  document.body.setAttribute('data-ready','1');
}
if(document.readyState==='loading')document.addEventListener('DOMContentLoaded',check);else check();
})();`;
