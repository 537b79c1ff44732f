// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors/runtime-errors.ts';
import type { RunEvent } from '../../src/exec/events.ts';
import { executePlan } from '../../src/exec/execute-plan.ts';
import {
  describeEvent,
  ProgressReporter,
  TimelineMemory,
} from '../../src/exec/progress-reporter.ts';
import type { Tool } from '../../src/tool/tool.ts';

const tool = (name: string, execute: Tool['execute']): Tool => ({
  name,
  description: name,
  inputSchema: { type: 'object', properties: {} },
  execute,
});
const failing = (name: string) =>
  tool(name, () => {
    throw new ToolError(`${name} is down`);
  });
const tools = [
  failing('primary'),
  failing('secondary'),
  tool('tertiary', () => ({ price: 3 })),
  tool('charge', () => ({ id: 'c1' })),
  tool('refund', () => ({ ok: true })),
  failing('boom'),
];

async function timeline(plan: unknown, random = () => 0.05): Promise<string[]> {
  const events: RunEvent[] = [];
  await executePlan(plan, { tools, onEvent: (e) => events.push(e), random });
  const memory = new TimelineMemory();
  return events.map((e) => describeEvent(e, events[0]!.at, memory)).filter((l) => l !== undefined);
}

describe('the timeline', () => {
  it('names the fallback alternative that ran', async () => {
    const lines = await timeline({
      version: 1,
      nodes: [
        {
          id: 'q',
          call: 'primary',
          args: {},
          fallback: [
            { call: 'secondary', args: {} },
            { call: 'tertiary', args: {} },
          ],
        },
      ],
    });
    const text = lines.join('\n');
    expect(text).toContain('q fallback 1: calling secondary');
    expect(text).toContain('q fallback 2: calling tertiary');
    expect(text).toMatch(/q succeeded by fallback 2 \(tertiary\) \{"price":3\}/);
  });

  it('says when a fallback value gave the output', async () => {
    const lines = await timeline({
      version: 1,
      nodes: [{ id: 'q', call: 'primary', args: {}, fallback: [{ value: { price: 0 } }] }],
    });
    expect(lines.join('\n')).toMatch(/q succeeded by a fallback value \{"price":0\}/);
  });

  it('says a retry delay was drawn with full jitter, and from what range', async () => {
    const lines = await timeline({
      version: 1,
      nodes: [{ id: 'p', call: 'primary', args: {}, retry: { attempts: 2, delay_ms: 100 } }],
    });
    expect(lines.join('\n')).toContain('retry in 5 ms (full jitter: drawn from 0-100 ms)');
    const exact = await timeline({
      version: 1,
      nodes: [
        {
          id: 'p',
          call: 'primary',
          args: {},
          retry: { attempts: 2, delay_ms: 10, jitter: 'none' },
        },
      ],
    });
    expect(exact.join('\n')).toMatch(/retry in 10 ms$/m);
  });
});

describe('the live view', () => {
  async function live(plan: unknown): Promise<string> {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => {
      text += d;
    });
    const reporter = new ProgressReporter(out, 'live');
    await executePlan(plan, { tools, onEvent: reporter.onEvent });
    reporter.finish();
    return text;
  }

  it('shows the run id and the compensation lines', async () => {
    const text = await live({
      version: 1,
      nodes: [
        { id: 'c', call: 'charge', args: {}, compensate: { call: 'refund', args: {} } },
        { id: 'b', call: 'boom', args: {}, after: ['c'] },
      ],
    });
    const runId = /run (\S+) started/.exec(text)?.[1];
    expect(runId).toBeDefined();
    expect(text).toContain(`run ${runId} | running`);
    expect(text).toContain('c compensating with refund');
    expect(text).toContain('c compensated');
  });
});
