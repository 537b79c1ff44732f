import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { RunEvent } from '../exec/events.ts';
import { executePlan, resumeRun } from '../exec/execute-plan.ts';
import type { JournalStore } from '../exec/journal-store.ts';
import type { RunResult } from '../exec/run-result.ts';
import { planSystemPrompt } from '../loop/planner.ts';
import { packagePath } from '../package-root.ts';
import { planJsonSchema } from '../plan/plan-schema.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import { validatePlan, validatePlanText } from '../validate/validate-plan.ts';

// The package's own folder, from the sources and from dist/ alike.
const repoRoot = packagePath();

export interface ToolplanServerOptions {
  registry: ToolRegistry;
  /** Where run_plan and resume_run journal their runs (the CLI's journal folder). */
  store: JournalStore;
  /** With one, `run_task` plans and runs a task with the LLM; without, it is not offered. */
  runTask?: (task: string, signal: AbortSignal) => Promise<Record<string, unknown>>;
  /** Where the plan format doc is looked for (default: the package's own docs/ and prompts/). */
  root?: string;
}

type Extra = {
  signal: AbortSignal;
  _meta?: { progressToken?: string | number } | undefined;
  sendNotification: (n: {
    method: 'notifications/progress';
    params: { progressToken: string | number; progress: number; total?: number; message?: string };
  }) => Promise<void>;
};

/** A tool answer: the value as JSON text and as structured content. */
function answer(value: Record<string, unknown>, isError = false): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(value) }],
    structuredContent: value,
    ...(isError ? { isError: true } : {}),
  };
}

/** A run's result as the server's callers see it: suspended runs say how to resume them. */
export function runAnswer(result: RunResult): CallToolResult {
  const base = { status: result.status, run_id: result.runId };
  switch (result.status) {
    case 'succeeded':
      return answer({ ...base, output: result.output });
    case 'suspended':
      return answer({
        ...base,
        waiting: result.waiting.map((w) => ({
          node: w.node,
          key: w.key,
          tool: w.tool,
          args: w.args,
        })),
        resume: 'call resume_run with this run_id and approve (or deny) the waiting nodes',
      });
    default:
      return answer({ ...base, error: result.error }, true);
  }
}

interface Progress {
  onEvent?: (event: RunEvent) => void;
  /** Waits for the notifications sent so far: they must reach the client before the result. */
  flush(): Promise<void>;
}

/** One progress notification per finished node, when the caller asked for progress. */
function progressReporter(extra: Extra): Progress {
  const token = extra._meta?.progressToken;
  if (token === undefined) return { flush: async () => {} };
  let done = 0;
  const sent: Promise<void>[] = [];
  const onEvent = (event: RunEvent) => {
    const verb =
      event.type === 'node.succeeded'
        ? 'succeeded'
        : event.type === 'node.failed'
          ? 'failed'
          : event.type === 'node.skipped'
            ? 'skipped'
            : event.type === 'node.waiting'
              ? 'is waiting for approval'
              : undefined;
    if (!verb) return;
    done++;
    const key = (event as { key: string }).key;
    sent.push(
      extra
        .sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress: done, message: `${key} ${verb}` },
        })
        .catch(() => {}),
    );
  };
  return {
    onEvent,
    flush: async () => {
      if (sent.length === 0) return;
      await Promise.all(sent);
      // The SDK client handles notifications a microtask after a response read in the same
      // chunk and then drops them as late; a short pause lets them arrive on their own.
      await new Promise((r) => setTimeout(r, 10));
    },
  };
}

/**
 * The plan format doc: docs/plan-format.md when the package has it, else the format section
 * of the planner's prompt and its examples (what the planner LLM itself is told).
 */
export function planFormatText(root = repoRoot): string {
  const doc = resolve(root, 'docs', 'plan-format.md');
  if (existsSync(doc)) return readFileSync(doc, 'utf8');
  const read = (name: string) => {
    const full = resolve(root, 'prompts', `${name}.md`);
    return existsSync(full) ? readFileSync(full, 'utf8') : '';
  };
  const system = read('plan-system');
  const start = system.indexOf('# The plan format');
  const end = start < 0 ? -1 : system.indexOf('\n# ', start + 1);
  const format = start < 0 ? '' : system.slice(start, end < 0 ? undefined : end).trim();
  const examples = read('plan-examples').trim();
  return [
    format || 'The plan format is described by the resource toolplan://plan-schema.',
    examples ? `# Examples\n\n${examples}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

const PlanArg = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .describe('the plan: a JSON object, or its JSON text');

/**
 * toolplan as an MCP server: validate and run plans over the registry's tools, resume runs
 * that wait for approval, list the tools, and serve the plan schema, the format doc and
 * the planner prompt. Approval-gated calls never run from here: the run suspends and its
 * caller approves through `resume_run`.
 */
export function createToolplanServer(options: ToolplanServerOptions): McpServer {
  const { registry, store } = options;
  const server = new McpServer(
    { name: 'toolplan', version: '0.1.0' },
    { capabilities: { tools: {}, resources: {}, prompts: {} } },
  );

  server.registerTool(
    'validate_plan',
    {
      description: 'Check a plan against the plan format and the tools, without running it.',
      inputSchema: { plan: PlanArg },
      annotations: { readOnlyHint: true },
    },
    async ({ plan }) => {
      const r =
        typeof plan === 'string' ? validatePlanText(plan, registry) : validatePlan(plan, registry);
      return answer({ valid: r.valid, issues: r.issues });
    },
  );

  server.registerTool(
    'run_plan',
    {
      description:
        'Validate and run a plan over the tools; journaled. A call needing approval suspends the run: approve it with resume_run.',
      inputSchema: {
        plan: PlanArg,
        input: z.unknown().optional().describe('the run input, read by the plan as ${input}'),
        run_id: z.string().optional().describe('name the run (default: generated)'),
      },
      annotations: { readOnlyHint: false, destructiveHint: true },
    },
    async ({ plan, input, run_id }, extra) => {
      const checked =
        typeof plan === 'string' ? validatePlanText(plan, registry) : validatePlan(plan, registry);
      if (!checked.valid) return answer({ status: 'invalid', issues: checked.issues }, true);
      const progress = progressReporter(extra as unknown as Extra);
      const result = await executePlan(checked.plan ?? plan, {
        tools: registry,
        store,
        signal: extra.signal,
        input: input ?? null,
        ...(run_id ? { runId: run_id } : {}),
        ...(progress.onEvent ? { onEvent: progress.onEvent } : {}),
      });
      await progress.flush();
      return runAnswer(result);
    },
  );

  server.registerTool(
    'resume_run',
    {
      description:
        'Continue a suspended, cancelled or crashed run from its journal, approving or denying waiting nodes.',
      inputSchema: {
        run_id: z.string(),
        approve: z.array(z.string()).optional().describe('node ids to approve'),
        deny: z
          .array(z.string())
          .optional()
          .describe('node ids to deny (they fail with ApprovalDenied)'),
      },
      annotations: { readOnlyHint: false, destructiveHint: true },
    },
    async ({ run_id, approve, deny }, extra) => {
      const progress = progressReporter(extra as unknown as Extra);
      const result = await resumeRun(run_id, {
        tools: registry,
        store,
        signal: extra.signal,
        approveNodes: approve ?? [],
        denyNodes: deny ?? [],
        ...(progress.onEvent ? { onEvent: progress.onEvent } : {}),
      });
      await progress.flush();
      return runAnswer(result);
    },
  );

  server.registerTool(
    'list_tools',
    {
      description: 'The tools plans may call, with their schemas and flags.',
      inputSchema: {},
      annotations: { readOnlyHint: true },
    },
    async () =>
      answer({
        tools: registry.list().map((t) => ({
          name: t.name,
          description: t.tool.description,
          inputSchema: t.inputSchema,
          ...(t.outputSchema ? { outputSchema: t.outputSchema } : {}),
          mutating: t.tool.mutating === true,
          requires_approval: t.tool.requires_approval === true,
        })),
      }),
  );

  const runTask = options.runTask;
  if (runTask) {
    server.registerTool(
      'run_task',
      {
        description: 'Plan a task with the configured LLM, run the plan over the tools and answer.',
        inputSchema: { task: z.string().min(1) },
        annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
      },
      async ({ task }, extra) => {
        const r = await runTask(task, extra.signal);
        return answer(r, r.status === 'failed');
      },
    );
  }

  server.registerResource(
    'plan-schema',
    'toolplan://plan-schema',
    { description: 'JSON Schema of a toolplan plan', mimeType: 'application/schema+json' },
    async (uri) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/schema+json',
          text: JSON.stringify(planJsonSchema(), null, 2),
        },
      ],
    }),
  );
  server.registerResource(
    'plan-format',
    'toolplan://plan-format',
    { description: 'The plan format: nodes, expressions, errors', mimeType: 'text/markdown' },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/markdown', text: planFormatText(options.root) }],
    }),
  );
  server.registerPrompt(
    'planner',
    {
      description:
        "toolplan's planner prompt over this server's tools: paste it before a task to get a plan.",
      argsSchema: { syntax: z.enum(['json', 'compact']).optional() },
    },
    async ({ syntax }) => ({
      messages: [
        {
          role: 'user',
          content: { type: 'text', text: planSystemPrompt(registry, syntax ?? 'json') },
        },
      ],
    }),
  );
  return server;
}
