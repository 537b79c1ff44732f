import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFromOptions } from '../../src/cli/loop-support.ts';
import { type RunningServer, startServer } from '../../src/serve/server.ts';
import { loadRegistry } from '../../src/tool/load-tools-module.ts';
import { TOOLS_MODULE, tempDir } from './support/serve-client.ts';
import { ANSWER, writeTaskCassette } from './support/task-cassette.ts';

/**
 * The console in Debian's headless Chromium, driven by playwright-core (no browser is ever
 * downloaded). A screenshot of each page goes to a temp artifacts folder, printed below.
 */
const CHROMIUM = '/usr/bin/chromium';
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
const present = existsSync(CHROMIUM);
if (!present && process.env.CI !== 'true') {
  console.warn(
    `console test not run: ${CHROMIUM} is missing. Install it with: apt-get update && apt-get install -y chromium`,
  );
}

let dir: string;
let profile: string;
let artifacts: string;
let server: RunningServer;
let browser: BrowserContext;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  if (!present) throw new Error(`${CHROMIUM} is missing under CI=true: .ci/run installs it`);
  dir = tempDir();
  profile = mkdtempSync(join(tmpdir(), 'toolplan-chromium-'));
  artifacts = mkdtempSync(join(tmpdir(), 'toolplan-console-artifacts-'));
  console.log(`console screenshots: ${artifacts}`);
  server = await startServer({
    tools: await loadRegistry([TOOLS_MODULE]),
    model: () => modelFromOptions({ cassette: writeTaskCassette(dir) }),
    journalDir: join(dir, 'journal'),
    port: 0,
    token: 'console-token',
  });
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 1000 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.drain(1000);
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** The class list of a node's box in the drawn graph ('' until it is drawn). */
const nodeClass = async (id: string) =>
  (await (await page.$(`svg.graph g[data-node="${id}"]`))?.getAttribute('class')) ?? '';

describe.runIf(present || process.env.CI === 'true')('the web console in headless Chromium', () => {
  it('runs a task from a cassette: the graph fills in live, an approval is clicked, the run finishes', async () => {
    await page.goto(`${server.url}/#token=${server.token}`);
    await page.waitForSelector('#runs');
    await page.screenshot({ path: join(artifacts, '1-list.png'), fullPage: true });
    await page.fill('#new-task', 'Tell ops when the chain is done.');
    await page.click('form[aria-label="new task"] button');
    await page.waitForURL(/#\/task\//);

    // States observed as they happen, not only at the end.
    const seen: Record<string, Set<string>> = {
      first: new Set(),
      second: new Set(),
      tell: new Set(),
    };
    const watch = async () => {
      for (const id of Object.keys(seen)) {
        for (const cls of (await nodeClass(id)).split(' ')) seen[id]?.add(cls);
      }
    };
    const end = Date.now() + 20_000;
    while (!(await page.$('[data-approval="tell"] button'))) {
      await watch();
      if (Date.now() > end)
        throw new Error(`no approval appeared; seen ${JSON.stringify([...seen.first!])}`);
      await page.waitForTimeout(40);
    }
    await watch();
    expect([...seen.first!]).toEqual(expect.arrayContaining(['running', 'succeeded']));
    expect([...seen.second!]).toEqual(expect.arrayContaining(['running', 'succeeded']));
    expect(await nodeClass('tell')).toContain('waiting');
    const approval = await page.textContent('[data-approval="tell"]');
    expect(approval).toContain('"text": "first+second"');
    expect(await page.$$eval('svg.timeline g.span', (g) => g.length)).toBeGreaterThanOrEqual(3);
    await page.click('svg.graph g[data-node="second"]');
    expect(await page.textContent('#detail')).toContain('first+second');
    await page.screenshot({ path: join(artifacts, '2-task-waiting.png'), fullPage: true });

    await page.click('[data-approval="tell"] button:not(.deny)');
    await page.waitForSelector('body[data-status="succeeded"]', { timeout: 20_000 });
    await page.locator('#chat', { hasText: ANSWER }).waitFor();
    expect(await nodeClass('tell')).toContain('succeeded');
    await page.screenshot({ path: join(artifacts, '3-task-answered.png'), fullPage: true });
  }, 60_000);

  it('validates a pasted plan with issues at their paths, then runs it and shows the run', async () => {
    await page.goto(`${server.url}/#/plan`);
    await page.waitForSelector('#plan-text');
    await page.fill(
      '#plan-text',
      JSON.stringify({
        version: 1,
        nodes: [{ id: 'w', call: 'wait', args: { ms: 'soon', label: 'w' } }],
      }),
    );
    await page.click('#validate');
    await page.waitForSelector('#issues li.error');
    expect(await page.textContent('#issues')).toContain('/nodes/0/args');
    await page.screenshot({ path: join(artifacts, '4-plan-issues.png'), fullPage: true });
    await page.fill(
      '#plan-text',
      JSON.stringify({
        version: 1,
        nodes: [{ id: 'w', call: 'wait', args: { ms: 50, label: 'w' } }],
        output: '${w.label}',
      }),
    );
    await page.click('#validate');
    await page.locator('#issues', { hasText: /^valid$/ }).waitFor();
    await page.click('#run');
    await page.waitForURL(/#\/run\//);
    await page.waitForSelector('body[data-status="succeeded"]', { timeout: 20_000 });
    expect(await nodeClass('w')).toContain('succeeded');
    await page.screenshot({ path: join(artifacts, '5-run.png'), fullPage: true });
    await page.goto(`${server.url}/#/`);
    await page.waitForSelector('#runs tbody tr');
    expect(await page.$$eval('#runs tbody tr', (r) => r.length)).toBeGreaterThanOrEqual(2);
    // A run started elsewhere appears without a reload.
    const res = await fetch(`${server.url}/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        plan: { version: 1, nodes: [{ id: 'x', call: 'wait', args: { ms: 1, label: 'x' } }] },
      }),
    });
    const { id } = (await res.json()) as { id: string };
    await page.waitForSelector(`#runs tr[data-id="${id}"] .st.succeeded`, { timeout: 10_000 });
    expect(errors).toEqual([]);
  }, 60_000);
});
