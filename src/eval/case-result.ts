import type { PlanTrace } from './run-trace.ts';

/** One case's outcome: what the table prints, the report draws and `--json` writes. */
export interface CaseResult {
  name: string;
  pattern: string;
  task: string;
  provider: string;
  mode: string;
  /** How the cassette was made. */
  origin: string;
  passed: boolean;
  /** Why it failed, one line each; empty when it passed. */
  failures: string[];
  status: string;
  answer: string | undefined;
  usage: { llmCalls: number; inputTokens: number; outputTokens: number; costUsd: number };
  toolCalls: { name: string; args: unknown; nodeId?: string | undefined }[];
  wallMs: number;
  traces: PlanTrace[];
  /** Summed over the case's plans. */
  makespanMs: number;
  criticalMs: number;
  /** Makespan over critical path; undefined when no node took measurable time. */
  ratio: number | undefined;
  /** The case's runs on OpenAI-compatible servers' stream shapes; `passed` needs them all. */
  shapes?: ShapeRun[];
}

export interface ShapeRun {
  shape: string;
  passed: boolean;
  failures: string[];
  wallMs: number;
}

export interface SuiteResult {
  cases: CaseResult[];
  passed: number;
  failed: number;
  wallMs: number;
  bfcl?: BfclSummary | undefined;
}

export interface BfclSummary {
  total: number;
  passed: number;
  /** Cases whose ground-truth plan the validator refused, with why. */
  rejected: { id: string; reason: string }[];
  failures: { id: string; reason: string }[];
  byCategory: Record<string, { total: number; passed: number }>;
  wallMs: number;
}

export function emptyUsage(): CaseResult['usage'] {
  return { llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
}
