import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { RunEvent } from '../exec/events.ts';
import { FileJournalStore } from '../exec/file-journal-store.ts';
import type { LeaseHolder } from '../exec/journal-lease.ts';
import type { RunLimits } from '../exec/limits.ts';
import type { LoopEvent } from '../loop/events.ts';
import type { Budgets } from '../loop/run-state.ts';
import type { LanguageModel } from '../model/language-model.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import { buildApp } from './app.ts';
import { Changes } from './changes.ts';
import { EventHub } from './event-hub.ts';
import type { PlanRuns } from './plan-runs.ts';
import { RunService } from './run-service.ts';
import { TaskService } from './task-service.ts';

export interface ServeOptions {
  tools: ToolRegistry;
  /** A model per task; absent: tasks are refused (plans still run). */
  model?: () => { model: LanguageModel; finish(): Promise<void> };
  journalDir: string;
  host?: string;
  port?: number;
  /** Default: TOOLPLAN_TOKEN, else a random one (returned for printing). */
  token?: string;
  cors?: string;
  maxBodyBytes?: number;
  limits?: RunLimits;
  budgets?: Budgets;
  observeRun?: (event: RunEvent, runId: string) => void;
  observeTask?: (event: LoopEvent, taskId: string) => void;
  /** This server as a run's lease holder (default: this process, `toolplan serve`). */
  holder?: LeaseHolder;
  leaseTtlMs?: number;
  /**
   * Plan runs shared through Redis with every server given the same URL (journal, lease,
   * calls on `toolplan worker`s); tasks stay this server's. Absent: runs are local.
   */
  redis?: { url: string; leaseMs?: number; pollMs?: number; log?: (line: string) => void };
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  /** What was resumed or marked interrupted on start. */
  recovered: { runs: string[]; tasks: string[] };
  runs: PlanRuns;
  tasks: TaskService;
  /** Stops accepting, lets work finish up to `graceMs`, journals the rest as interrupted. */
  drain(graceMs: number): Promise<void>;
}

/** Server-side caps a request can only tighten. */
export const DEFAULT_LIMITS: RunLimits = {
  max_concurrency: 16,
  deadline_ms: 600_000,
  max_tool_calls: 1_000,
};
export const DEFAULT_BUDGETS: Budgets = {
  maxLlmCalls: 20,
  deadlineMs: 600_000,
  maxCostUsd: 5,
  maxToolCalls: 1_000,
};

const INTERRUPTED = 'interrupted.json';

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const token = o.token ?? process.env.TOOLPLAN_TOKEN ?? randomBytes(24).toString('base64url');
  const serveDir = join(o.journalDir, 'serve');
  const journal = new FileJournalStore(o.journalDir);
  const hub = new EventHub(journal);
  const changes = new Changes();
  const runs = await planRuns(o, hub, changes);
  const tasks = new TaskService({
    dir: serveDir,
    tools: runs.callTools ?? o.tools,
    ...(o.model ? { model: o.model } : {}),
    store: new FileJournalStore(join(serveDir, 'task-runs')),
    budgets: o.budgets ?? DEFAULT_BUDGETS,
    onChange: (s) => changes.publish(s),
    ...(o.observeTask ? { observe: o.observeTask } : {}),
  });
  const interrupted = new Set<string>(await readInterrupted(serveDir));
  const recovered = { runs: await runs.recover(interrupted), tasks: await tasks.recover() };
  await rm(join(serveDir, INTERRUPTED), { force: true });
  const streams = new Set<() => void>();
  const app = buildApp({
    runs,
    tasks,
    tools: o.tools,
    token,
    ...(o.cors ? { cors: o.cors } : {}),
    maxBodyBytes: o.maxBodyBytes ?? 1_000_000,
    streams,
    changes,
    version: '0.1.0',
  });
  const host = o.host ?? '127.0.0.1';
  const server = serve({ fetch: app.fetch, hostname: host, port: o.port ?? 4170 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    token,
    recovered,
    runs,
    tasks,
    async drain(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const [cut] = await Promise.all([runs.drain(graceMs), tasks.drain(graceMs)]);
      // Runs shared through Redis were handed over, not interrupted: nothing to note.
      if (cut.length && !o.redis) {
        await mkdir(serveDir, { recursive: true });
        await writeFile(join(serveDir, INTERRUPTED), JSON.stringify(cut));
      }
      for (const close of [...streams]) close();
      await journal.closeAll().catch(() => {});
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
    },
  };
}

/** Local runs on the file journal, or runs shared through Redis (BullMQ loaded only then). */
async function planRuns(o: ServeOptions, hub: EventHub, changes: Changes): Promise<PlanRuns> {
  const common = {
    onChange: (s: Parameters<Changes['publish']>[0]) => changes.publish(s),
    tools: o.tools,
    limits: o.limits ?? DEFAULT_LIMITS,
    ...(o.observeRun ? { observe: o.observeRun } : {}),
  };
  if (!o.redis) {
    return new RunService({
      ...common,
      hub,
      ...(o.holder ? { holder: o.holder } : {}),
      ...(o.leaseTtlMs ? { leaseTtlMs: o.leaseTtlMs } : {}),
    });
  }
  const { RedisRunService } = await import('./redis-run-service.ts');
  return new RedisRunService({ ...common, ...o.redis });
}

async function readInterrupted(dir: string): Promise<string[]> {
  try {
    const v = JSON.parse(await readFile(join(dir, INTERRUPTED), 'utf8'));
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
