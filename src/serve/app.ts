import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { legendHtml } from '../eval/report-svg.ts';
import type { RunEvent } from '../exec/events.ts';
import { foldEvents } from '../exec/run-state.ts';
import { toolSpecs } from '../tool/provider-tools.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import { validatePlan, validatePlanText } from '../validate/index.ts';
import type { Change, Changes } from './changes.ts';
import { consoleRoutes } from './console-assets.ts';
import { badRequest, errorResponse, jsonBody, zodIssues } from './http-errors.ts';
import { openApiDocument } from './openapi.ts';
import type { PlanRuns } from './plan-runs.ts';
import { viewOfEvents } from './run-view.ts';
import {
  ApprovalRequest,
  ListQuery,
  type ListQueryT,
  RunRequest,
  type SummaryT,
  TaskRequest,
  ValidateRequest,
} from './schemas.ts';
import { lastEventId, streamJournal } from './sse.ts';
import type { TaskLogEntry } from './task-log.ts';
import type { TaskService } from './task-service.ts';

export interface AppOptions {
  runs: PlanRuns;
  tasks: TaskService;
  tools: ToolRegistry;
  token: string;
  cors?: string;
  maxBodyBytes: number;
  /** Streams register here so a stopping server can end them. */
  streams: Set<() => void>;
  changes: Changes;
  version: string;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);

export function buildApp(o: AppOptions): Hono {
  const app = new Hono();
  if (o.cors)
    app.use(
      '*',
      cors({ origin: o.cors, allowHeaders: ['authorization', 'content-type', 'last-event-id'] }),
    );
  consoleRoutes(app);
  app.use('/v1/*', bearerAuth({ token: o.token }));
  app.use('/openapi.json', bearerAuth({ token: o.token }));
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: o.maxBodyBytes,
      onError: (c) =>
        c.json(
          {
            error: { code: 'body_too_large', message: `the body is over ${o.maxBodyBytes} bytes` },
          },
          413,
        ),
    }),
  );
  app.onError((error, c) => errorResponse(c, error));
  app.notFound((c) =>
    c.json(
      { error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } },
      404,
    ),
  );

  const onClose = (close: () => void) => {
    o.streams.add(close);
    return () => o.streams.delete(close);
  };
  miscRoutes(app, o, onClose);
  runRoutes(app, o, onClose);
  taskRoutes(app, o, onClose);
  return app;
}

type OnClose = (close: () => void) => () => void;

/** The document, the live list, the tools and the validator. */
function miscRoutes(app: Hono, o: AppOptions, onClose: OnClose): void {
  app.get('/openapi.json', (c) => c.json(openApiDocument(o.version)));
  app.get('/v1/events', (c) =>
    streamJournal<Change>(c, {
      source: { read: async () => [], subscribe: (_id, l) => o.changes.subscribe(l) },
      id: '*',
      after: -1,
      message: (e) => ({ event: 'summary', data: e.summary }),
      isEnd: () => false,
      isIdle: () => false,
      onClose,
    }),
  );
  app.get('/v1/tools', (c) =>
    c.json(
      toolSpecs(o.tools).map((t) => ({
        name: t.name,
        description: t.description,
        inputSchema: t.inputSchema,
      })),
    ),
  );
  app.post('/v1/plans/validate', async (c) => {
    const body = await jsonBody(c, ValidateRequest);
    if (body instanceof Response) return body;
    const r =
      typeof body.plan === 'string'
        ? validatePlanText(body.plan, o.tools)
        : validatePlan(body.plan, o.tools);
    return c.json({ valid: r.valid, issues: r.issues });
  });
}

/** Plan runs: start, state, drawing, events, decisions, cancel, listing. */
function runRoutes(app: Hono, o: AppOptions, onClose: OnClose): void {
  app.post('/v1/runs', async (c) => {
    const body = await jsonBody(c, RunRequest);
    if (body instanceof Response) return body;
    const checked = validatePlan(body.plan, o.tools);
    if (!checked.valid)
      return badRequest(c, 'plan_invalid', 'the plan is invalid; nothing was run', checked.issues);
    const id = await o.runs.start(checked.plan, body.input ?? null, body.limits ?? {});
    return c.json({ id, kind: 'run', events: `/v1/runs/${id}/events` }, 202);
  });
  app.get('/v1/runs', async (c) => {
    const q = ListQuery.safeParse(c.req.query());
    if (!q.success) return badRequest(c, 'bad_query', 'bad query', zodIssues(q.error));
    const all = [
      ...(q.data.kind !== 'task' ? await o.runs.list() : []),
      ...(q.data.kind !== 'run' ? o.tasks.list() : []),
    ];
    return c.json(filtered(all, q.data));
  });
  app.get('/v1/runs/:id', async (c) => {
    const id = c.req.param('id');
    const summary = await o.runs.get(id);
    if (!summary) return notFound(c, 'run', id);
    const state = foldEvents(await o.runs.events(id), id);
    return c.json({
      ...summary,
      ...(state.output !== undefined ? { output: state.output } : {}),
      ...(state.error ? { error: state.error } : {}),
      toolCalls: state.toolCalls,
    });
  });
  app.get('/v1/runs/:id/view', async (c) => {
    const id = c.req.param('id');
    const summary = await o.runs.get(id);
    if (!summary) return notFound(c, 'run', id);
    return c.json({
      summary,
      legend: legendHtml(),
      plans: viewOfEvents(await o.runs.events(id)),
    });
  });
  app.get('/v1/runs/:id/events', async (c) => {
    const id = c.req.param('id');
    if (!(await o.runs.get(id))) return notFound(c, 'run', id);
    return streamJournal<RunEvent>(c, {
      source: o.runs.hub,
      id,
      after: lastEventId(c),
      message: (e) => ({ event: e.type, data: e }),
      isEnd: (e) => e.type === 'run.finished',
      isIdle: () => o.runs.isIdle(id),
      onClose,
    });
  });
  app.post('/v1/runs/:id/approvals', async (c) => {
    const body = await jsonBody(c, ApprovalRequest);
    if (body instanceof Response) return body;
    await o.runs.decide(c.req.param('id'), body.node, body.approved);
    return c.json({ ok: true }, 202);
  });
  app.post('/v1/runs/:id/cancel', async (c) =>
    c.json({ ok: await o.runs.cancel(c.req.param('id')) }),
  );
}

/** LLM tasks and their conversations. */
function taskRoutes(app: Hono, o: AppOptions, onClose: OnClose): void {
  app.post('/v1/tasks', async (c) => {
    const body = await jsonBody(c, TaskRequest);
    if (body instanceof Response) return body;
    const id = await o.tasks.start(body);
    return c.json({ id, kind: 'task', events: `/v1/tasks/${id}/events` }, 202);
  });
  app.get('/v1/tasks', (c) => {
    const q = ListQuery.safeParse(c.req.query());
    if (!q.success) return badRequest(c, 'bad_query', 'bad query', zodIssues(q.error));
    return c.json(filtered(o.tasks.list(), q.data));
  });
  app.get('/v1/tasks/:id', (c) => {
    const t = o.tasks.get(c.req.param('id'));
    return t ? c.json(t) : notFound(c, 'task', c.req.param('id'));
  });
  app.get('/v1/tasks/:id/view', async (c) => {
    const id = c.req.param('id');
    const t = o.tasks.get(id);
    if (!t) return notFound(c, 'task', id);
    const log = await o.tasks.log.read(id);
    const exec = log
      .filter((e) => e.event.type === 'exec')
      .map((e) => (e.event as { event: RunEvent }).event);
    const conversation = t.conversationId
      ? await o.tasks.conversation(t.conversationId)
      : undefined;
    return c.json({
      summary: t,
      conversation: conversation?.messages ?? [],
      legend: legendHtml(),
      plans: viewOfEvents(exec),
    });
  });
  app.get('/v1/tasks/:id/events', (c) => {
    const id = c.req.param('id');
    if (!o.tasks.get(id)) return notFound(c, 'task', id);
    return streamJournal<TaskLogEntry>(c, {
      source: {
        read: (i) => o.tasks.log.read(i),
        subscribe: (i, l) => o.tasks.log.hub.subscribe(i, l as never),
      },
      id,
      after: lastEventId(c),
      message: (e) => ({ event: e.event.type, data: e.event }),
      isEnd: (e) => e.event.type === 'task.answered' || e.event.type === 'task.failed',
      isIdle: () => TERMINAL.has(o.tasks.get(id)?.status ?? '') && !o.tasks.isActive(id),
      onClose,
    });
  });
  app.post('/v1/tasks/:id/approvals', async (c) => {
    const body = await jsonBody(c, ApprovalRequest);
    if (body instanceof Response) return body;
    o.tasks.decide(c.req.param('id'), body.node, body.approved);
    return c.json({ ok: true }, 202);
  });
  app.post('/v1/tasks/:id/cancel', async (c) =>
    c.json({ ok: await o.tasks.cancel(c.req.param('id')) }),
  );
  app.get('/v1/conversations/:id', async (c) => {
    const conv = await o.tasks.conversation(c.req.param('id'));
    return conv ? c.json(conv) : notFound(c, 'conversation', c.req.param('id'));
  });
}

function notFound(c: Parameters<typeof badRequest>[0], what: string, id: string): Response {
  return c.json(
    { error: { code: `${what}_not_found`, message: `no ${what} ${JSON.stringify(id)}` } },
    404,
  );
}

/** The listing's filters, newest first. Pure. */
export function filtered(all: readonly SummaryT[], q: ListQueryT): SummaryT[] {
  return all
    .filter((s) => (q.status ? s.status === q.status : true))
    .filter((s) => (q.since !== undefined ? (s.startedAt ?? 0) >= q.since : true))
    .sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0))
    .slice(0, q.limit ?? 200)
    .map(({ waiting, ...rest }) => ({ ...rest, waiting }));
}
