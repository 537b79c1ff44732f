import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { FileJournalStore } from '../../src/exec/file-journal-store.ts';
import { foldEvents } from '../../src/exec/run-state.ts';

const CHILD = resolve(import.meta.dirname, 'exec-kill-child.ts');

export function runChild(
  mode: 'start' | 'resume',
  dir: string,
  runId: string,
  log: string,
  env: Record<string, string> = {},
) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, mode, dir, runId, log], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { signal: r.signal, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function readLog(log: string): Array<{ key: string; node: string }> {
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [key, node] = l.split('|') as [string, string];
      return { key, node };
    });
}

/** Kills a real child after its k-th tool call, resumes it, and reports what happened. */
export async function killAndResume(k: number, mode: 'during' | 'after') {
  const dir = mkdtempSync(join(tmpdir(), 'toolplan-kill-'));
  const log = join(dir, 'calls.log');
  const runId = `kill-${k}-${mode}`;
  const first = runChild('start', join(dir, 'runs'), runId, log, {
    KILL_AT: String(k),
    KILL_MODE: mode,
  });
  const beforeLog = readLog(log);
  const store = new FileJournalStore(join(dir, 'runs'));
  const atCrash = foldEvents(await store.read(runId), runId);
  const finishedAtCrash = [...atCrash.nodes.values()]
    .filter((n) => n.status === 'succeeded')
    .map((n) => n.key);
  const second = runChild('resume', join(dir, 'runs'), runId, log);
  return {
    first,
    second,
    beforeLog,
    afterLog: readLog(log),
    finishedAtCrash,
    result: second.stdout ? JSON.parse(second.stdout.trim().split('\n').at(-1)!) : undefined,
    runId,
  };
}

export async function baseline() {
  const dir = mkdtempSync(join(tmpdir(), 'toolplan-kill-'));
  const log = join(dir, 'calls.log');
  const r = runChild('start', join(dir, 'runs'), 'base', log);
  return { result: JSON.parse(r.stdout.trim()), log: readLog(log) };
}

/** Kills at point k, resumes, and checks the guarantees against an uninterrupted run. */
export async function checkKillPoint(
  k: number,
  mode: 'during' | 'after',
  expected: unknown,
  total: number,
) {
  const r = await killAndResume(k, mode);
  expect(r.first.signal).toBe('SIGKILL');
  expect(r.result?.status).toBe('succeeded');
  expect(r.result.output).toEqual(expected);
  const suffix = (key: string) => key.slice(r.runId.length + 1);
  const counts = new Map<string, number>();
  for (const l of r.afterLog) counts.set(suffix(l.key), (counts.get(suffix(l.key)) ?? 0) + 1);
  // No node that had finished before the kill ran again.
  for (const key of r.finishedAtCrash) if (counts.has(key)) expect(counts.get(key)).toBe(1);
  // A repeated call carries the same idempotency key and is the call that was in flight.
  const repeated = [...counts].filter(([, n]) => n > 1);
  const inFlight = new Set(r.beforeLog.map((l) => suffix(l.key)));
  for (const [key, n] of repeated) {
    expect(n).toBe(2);
    expect(inFlight.has(key)).toBe(true);
    expect(r.finishedAtCrash).not.toContain(key);
  }
  // Every call of an uninterrupted run happened, with the same keys.
  expect(new Set(counts.keys()).size).toBe(total);
}
