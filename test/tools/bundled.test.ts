import { describe, expect, it } from 'vitest';
import { FatalToolError } from '../../src/errors/runtime-errors.ts';
import { isToolplanError } from '../../src/errors/toolplan-error.ts';
import { ToolRegistry } from '../../src/tool/registry.ts';
import type { Tool } from '../../src/tool/tool.ts';
import defaultTools, { createBundledTools, createBundledWorld, tools } from '../../tools/index.ts';
import { byName, call, ctx, tempDir } from './helpers.ts';

describe('bundled tools', () => {
  it('exports the same default array as `tools`, with unique snake_case names', () => {
    expect(defaultTools).toBe(tools);
    const names = tools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(names.length).toBeGreaterThanOrEqual(35);
    expect(names.length).toBeLessThanOrEqual(45);
  });

  it('passes the registry checks and converts to JSON Schema', () => {
    const registry = ToolRegistry.from(createBundledTools(), 'tools/index.ts');
    expect(registry.size).toBe(tools.length);
    for (const t of registry.list()) {
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema).toBeDefined();
      expect(t.tool.description.length).toBeGreaterThan(15);
    }
  });

  it('flags exactly the approval-gated tools, and every approval-gated tool is mutating', () => {
    const gated = tools.filter((t) => t.requires_approval).map((t) => t.name);
    expect(gated.sort()).toEqual(['delete_everything', 'send_email']);
    for (const t of tools) if (t.requires_approval) expect(t.mutating).toBe(true);
  });

  it('every tool answers valid arguments with output its own schema accepts', async () => {
    const sandboxDir = await tempDir();
    const world = createBundledWorld({
      sandboxDir,
      scenario: { primaryFailures: 0, flakySucceedsOnAttempt: 1, ratesLatencyMs: { a: 1, b: 1 } },
    });
    const t = world.tools;
    const charge = await call(t, 'charge_card', { amount: 12.5 });
    await call(t, 'write_file', { path: 'a/b.txt', content: 'hello' });
    const job = await call(t, 'submit_job', { kind: 'export' });
    const orders = await call(t, 'get_orders', { user_id: 'u1' });
    const calls: Record<string, unknown> = {
      get_user: { user_id: 'u1' },
      list_users: {},
      get_profile: { user_id: 'u2' },
      get_user_profile: { user_id: 'u3' },
      get_reviews: { user_id: 'u1' },
      get_orders: { user_id: 'u2', status: 'delivered' },
      calculate_total: { orders },
      place_order: { sku: 'A1', quantity: 2 },
      ship: {},
      check_inventory: { sku: 'C3' },
      notify_restock: { sku: 'B2' },
      charge_card: { amount: 3, user_id: 'u2' },
      refund: { charge_id: charge.id },
      book_seat: {},
      release_lock: {},
      submit_job: { kind: 'report' },
      job_status: { job: job.job_id },
      list_orders: { cursor: null },
      get_weather: { city: 'Paris' },
      get_city: { city: 'Tokyo' },
      distance_km: { from: 'Paris', to: 'London' },
      calculate: { expression: '2 * (3 + 4) ^ 2' },
      add: { a: 2, b: 3.5 },
      multiply: { a: -2, b: 4 },
      word_count: { text: 'One two. Three!' },
      uppercase: { text: 'abc' },
      summarize: { text: 'A. B. C.', sentences: 2 },
      extract_emails: { text: 'write to ada@example.com' },
      write_file: { path: 'c.txt', content: 'x' },
      read_file: { path: 'a/b.txt' },
      list_files: {},
      delete_file: { path: 'c.txt' },
      primary_quote: {},
      secondary_quote: { symbol: 'XYZ' },
      rates_a: {},
      rates_b: { base: 'EUR', quote: 'USD' },
      flaky_service: {},
      slow_service: { ms: 1 },
      log_error: { message: 'boom', node: 'n1' },
      send_email: { to: 'ada@example.com', subject: 'Hi', body: 'Hello' },
      delete_everything: { reason: 'test' },
      fetch_webpage: { url: 'https://example.com/' },
    };
    const fatal = new Set(['always_fails']);
    expect(new Set([...Object.keys(calls), ...fatal])).toEqual(new Set(t.map((x) => x.name)));
    for (const [name, args] of Object.entries(calls)) {
      const out = await call(t, name, args);
      expect(out, name).toBeDefined();
    }
    const err = await Promise.resolve(byName(t, 'always_fails').execute({}, ctx())).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FatalToolError);
    expect(isToolplanError(err) && err.retryable).toBe(false);
  });

  it('builds fresh, isolated state on every createBundledTools() call', async () => {
    const a = createBundledTools();
    const b = createBundledTools();
    await call(a, 'place_order', { sku: 'D4' }); // the only unit
    expect((await call(a, 'check_inventory', { sku: 'D4' })).count).toBe(0);
    expect((await call(b, 'check_inventory', { sku: 'D4' })).count).toBe(1);
    const c1 = await call(a, 'charge_card', { amount: 1 });
    const c2 = await call(b, 'charge_card', { amount: 1 });
    expect(c1.id).toBe(c2.id);
    await expect(call(a, 'refund', { charge_id: 'ch_2' })).rejects.toThrow(/unknown charge/);
    expect((await call(b, 'job_status', { job: 'j1' })).state).toBe('queued');
    expect((await call(a, 'job_status', { job: 'j1' })).state).toBe('queued');
  });

  it('is deterministic for a seed and varies with it', async () => {
    const prices = async (seed: number) => {
      const t = createBundledTools({ seed, scenario: { primaryFailures: 0 } });
      return [
        (await call(t, 'primary_quote', {})).price,
        (await call(t, 'secondary_quote', {})).price,
      ];
    };
    expect(await prices(7)).toEqual(await prices(7));
    expect(await prices(7)).not.toEqual(await prices(8));
  });

  it('latencyMs delays every call and the delay honours the signal', async () => {
    const t = createBundledTools({ latencyMs: 60_000 });
    const controller = new AbortController();
    const reason = new Error('stop');
    let settled = false;
    const pending = Promise.resolve(
      byName(t, 'get_user').execute({ user_id: 'u1' }, ctx({ signal: controller.signal })),
    ).finally(() => {
      settled = true;
    });
    // Without the latency, get_user answers within a tick.
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(await call(createBundledTools({ latencyMs: 1 }), 'add', { a: 1, b: 1 })).toEqual({
      value: 2,
    });
  });

  it('refuses to start a call whose signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    const tool: Tool = byName(createBundledTools(), 'uppercase');
    await expect(
      Promise.resolve(tool.execute({ text: 'a' }, ctx({ signal: controller.signal }))),
    ).rejects.toThrow('gone');
  });

  it('rejects bad arguments as a not-retryable InvalidArgs naming the field', async () => {
    const err = await Promise.resolve(
      byName(tools, 'get_user').execute({ user_id: 42 }, ctx()),
    ).catch((e: unknown) => e);
    expect(isToolplanError(err)).toBe(true);
    expect((err as Error).name).toBe('InvalidArgs');
    expect((err as Error).message).toContain('user_id');
    expect(isToolplanError(err) && err.retryable).toBe(false);
  });
});
