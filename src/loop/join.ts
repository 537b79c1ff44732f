import { createHash } from 'node:crypto';
import type { PlanSyntax } from './planner.ts';
import { loadPrompt, renderPrompt } from './prompts.ts';
import type { ExecError } from './run-state.ts';
import { truncateForLlm } from './truncate.ts';

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
 * The join prompt: results go back as delimited DATA, never as instructions. The markers
 * carry a nonce derived from the data, and any copy of the marker inside it is defanged.
 */
export function joinPrompt(input: JoinInput): string {
  const raw = truncateForLlm({ output: input.output, results: input.previous }, input.maxChars);
  // A hash of the data itself: deterministic (cassettes replay byte for byte), yet no tool
  // output can contain the marker that closes it, since it would have to contain its own hash.
  const nonce = input.nonce ?? createHash('sha256').update(raw).digest('hex').slice(0, 16);
  const data = raw.split(`DATA ${nonce}`).join(`DATA-${nonce}`);
  const status =
    input.status === 'succeeded'
      ? 'Status: the plan succeeded.'
      : `Status: the plan ${input.status}${input.error ? ` at node ${input.error.node ?? '?'}: ${input.error.name}: ${input.error.message}` : ''}. A new plan may work around the failure.`;
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
