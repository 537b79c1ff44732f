import { joinData } from './llm-data.ts';
import type { PlanSyntax } from './planner.ts';
import { loadPrompt, renderPrompt } from './prompts.ts';
import type { ExecError } from './run-state.ts';

export interface JoinInput {
  task: string;
  syntax: PlanSyntax;
  status: 'succeeded' | 'failed' | 'suspended' | 'cancelled';
  output: unknown;
  error?: ExecError | undefined;
  /** Every result so far by node id (this plan's and earlier ones'). */
  previous: Record<string, unknown>;
  maxChars: number;
  nonce?: string;
}

/**
 * The join prompt: results and errors go back as delimited DATA, never as instructions
 * (`llm-data.ts` writes both).
 */
export function joinPrompt(input: JoinInput): string {
  const { status, nonce, data } = joinData(input);
  return renderPrompt('join', {
    status,
    nonce,
    results: data,
    ids: Object.keys(input.previous).join(', ') || '(none)',
    task: input.task,
    replan_instructions: loadPrompt(
      input.syntax === 'json' ? 'join-replan-json' : 'join-replan-compact',
    ),
  });
}

export function repairPrompt(
  issues: { path: string; code: string; message: string; severity: string }[],
): string {
  const lines = issues.map(
    (i) =>
      `- ${i.severity === 'warning' ? '(warning) ' : ''}${i.path || '/'} [${i.code}]: ${i.message}`,
  );
  return renderPrompt('repair', { issues: lines.join('\n') });
}
