import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CASES } from '../../src/cli/eval.ts';
import type { SuiteResult } from '../../src/eval/case-result.ts';
import { renderReport } from '../../src/eval/report-html.ts';
import { loadCases, runSuite } from '../../src/eval/run-suite.ts';
import { createBundledTools } from '../../tools/index.ts';
import { chromiumOrSkip } from '../support/find-chromium.ts';

const run = promisify(execFile);
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let suite: SuiteResult;
let html: string;
let dir: string;

beforeAll(async () => {
  suite = await runSuite(loadCases(BUNDLED_CASES), {
    concurrency: 8,
    bundledTools: createBundledTools,
  });
  html = renderReport(suite);
  dir = mkdtempSync(join(tmpdir(), 'toolplan-report-'));
  writeFileSync(join(dir, 'report.html'), html);
}, 60_000);

async function dumpDom(chromium: string, file: string): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'toolplan-chromium-'));
  try {
    const { stdout } = await run(
      chromium,
      [...FLAGS, `--user-data-dir=${profile}`, '--dump-dom', `file://${file}`],
      { timeout: 45_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1];
}

describe('the HTML report', () => {
  it('is self-contained: no external resource, no network', () => {
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes tool output and answers: a <script> in them stays text', () => {
    const injected = suite.cases.find((c) => c.name === 'untrusted-output')!;
    expect(injected.answer).toContain('<script>');
    expect(html).not.toContain('<script>document.title');
    expect(html).toContain('&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;');
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('loads in headless Chromium with no error and draws every node of every case', async (ctx) => {
    const chromium = chromiumOrSkip(() => ctx.skip());
    const dom = await dumpDom(chromium, join(dir, 'report.html'));
    const body = /<body[^>]*>/.exec(dom)?.[0] ?? '';
    expect(attr(body, 'data-ready')).toBe('1');
    expect(attr(body, 'data-errors')).toBe('[]');
    expect(/<title>([^<]*)<\/title>/.exec(dom)?.[1]).toBe('toolplan eval report');
    const sections = [...dom.matchAll(/<section class="card case [^"]*"[^>]*>/g)].map((m) => m[0]);
    expect(sections).toHaveLength(suite.cases.length);
    let drawn = 0;
    for (const tag of sections) {
      const expected = attr(tag, 'data-expected-nodes');
      expect(attr(tag, 'data-rendered-nodes'), attr(tag, 'data-case')).toBe(expected);
      drawn += Number(expected);
    }
    expect(drawn).toBeGreaterThan(40);
  }, 60_000);
});
