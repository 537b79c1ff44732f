import { z } from 'zod';

/**
 * The API's request and response shapes. The same schemas validate requests and generate the
 * OpenAPI document (`openapi.ts`), so the two cannot drift.
 */

export const Id = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,128}$/)
  .describe('a run, task or conversation id');

const ChatMessage = z
  .object({ role: z.enum(['user', 'assistant']), content: z.string().max(200_000) })
  .strict();

export const TaskBudgets = z
  .object({
    maxLlmCalls: z.number().int().positive().optional(),
    maxInputTokens: z.number().int().positive().optional(),
    maxOutputTokens: z.number().int().positive().optional(),
    maxCostUsd: z.number().positive().optional(),
    deadlineMs: z.number().int().positive().optional(),
    maxToolCalls: z.number().int().positive().optional(),
  })
  .strict()
  .describe('asked budgets; the server caps each at its own limit');

export const TaskRequest = z
  .object({
    message: z.string().min(1).max(100_000).describe('what to do, in words'),
    conversation_id: Id.optional().describe('continue this conversation (created when unknown)'),
    history: z
      .array(ChatMessage)
      .max(500)
      .optional()
      .describe('earlier turns, when no conversation is kept'),
    budgets: TaskBudgets.optional(),
    mode: z.enum(['plan', 'react']).optional(),
    syntax: z.enum(['json', 'compact']).optional(),
    input: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('the run input (`input` in plans)'),
  })
  .strict();
export type TaskRequestT = z.infer<typeof TaskRequest>;

export const RunLimitsRequest = z
  .object({
    max_concurrency: z.number().int().positive().optional(),
    deadline_ms: z.number().int().positive().optional(),
    max_tool_calls: z.number().int().positive().optional(),
  })
  .strict();

export const RunRequest = z
  .object({
    plan: z.record(z.string(), z.unknown()).describe('a plan (see docs/plan-format.md)'),
    input: z.unknown().optional(),
    limits: RunLimitsRequest.optional().describe('tightened by the server limits, never loosened'),
  })
  .strict();
export type RunRequestT = z.infer<typeof RunRequest>;

export const ApprovalRequest = z
  .object({
    node: z.string().min(1).max(512).describe('the waiting node id or instance key'),
    approved: z.boolean(),
    note: z.string().max(2_000).optional(),
  })
  .strict();
export type ApprovalRequestT = z.infer<typeof ApprovalRequest>;

export const ValidateRequest = z
  .object({ plan: z.unknown().describe('a plan object, or its JSON text') })
  .strict();

export const ListQuery = z
  .object({
    status: z
      .enum(['running', 'suspended', 'succeeded', 'failed', 'cancelled', 'interrupted'])
      .optional(),
    kind: z.enum(['run', 'task']).optional(),
    since: z.coerce
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('started at or after (epoch ms)'),
    limit: z.coerce.number().int().positive().max(1000).optional(),
  })
  .strict();
export type ListQueryT = z.infer<typeof ListQuery>;

export const Accepted = z.object({ id: Id, kind: z.enum(['run', 'task']), events: z.string() });

export const Summary = z.object({
  id: Id,
  kind: z.enum(['run', 'task']),
  status: z.string(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  title: z.string().optional(),
  costUsd: z.number().optional(),
  waiting: z.array(
    z.object({ key: z.string(), node: z.string(), tool: z.string(), args: z.unknown() }),
  ),
});
export type SummaryT = z.infer<typeof Summary>;

export const Issue = z.object({
  path: z.string(),
  code: z.string(),
  message: z.string(),
  severity: z.string().optional(),
});

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
  issues: z.array(Issue).optional(),
});
