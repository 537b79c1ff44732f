import { z } from 'zod';
import {
  Accepted,
  ApprovalRequest,
  ErrorBody,
  Issue,
  ListQuery,
  RunRequest,
  Summary,
  TaskRequest,
  ValidateRequest,
} from './schemas.ts';

/**
 * The OpenAPI 3.1 document, generated from the zod schemas the routes validate with
 * (`z.toJSONSchema`): a schema changed in one place changes both. Pure.
 */
interface RouteDoc {
  method: 'get' | 'post';
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  response?: z.ZodType;
  status?: number;
  sse?: boolean;
}

const Ok = z.object({ ok: z.boolean() });
const Validation = z.object({ valid: z.boolean(), issues: z.array(Issue) });

export const ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/tasks',
    summary: 'start a task for the LLM loop',
    body: TaskRequest,
    response: Accepted,
    status: 202,
  },
  {
    method: 'get',
    path: '/v1/tasks',
    summary: 'list tasks',
    query: ListQuery,
    response: z.array(Summary),
  },
  {
    method: 'get',
    path: '/v1/tasks/:id',
    summary: "a task's state, answer and usage",
    response: Summary,
  },
  {
    method: 'get',
    path: '/v1/tasks/:id/events',
    summary: "a task's loop events (SSE, replayable from Last-Event-ID)",
    sse: true,
  },
  {
    method: 'get',
    path: '/v1/tasks/:id/view',
    summary: 'each plan of a task drawn: graph, timeline, node details',
  },
  {
    method: 'post',
    path: '/v1/tasks/:id/approvals',
    summary: 'approve or deny a waiting call',
    body: ApprovalRequest,
    response: Ok,
    status: 202,
  },
  { method: 'post', path: '/v1/tasks/:id/cancel', summary: 'cancel a task', response: Ok },
  { method: 'get', path: '/v1/conversations/:id', summary: "a conversation's messages" },
  {
    method: 'post',
    path: '/v1/runs',
    summary: 'run a plan (no LLM)',
    body: RunRequest,
    response: Accepted,
    status: 202,
  },
  {
    method: 'get',
    path: '/v1/runs',
    summary: 'list runs and tasks',
    query: ListQuery,
    response: z.array(Summary),
  },
  {
    method: 'get',
    path: '/v1/runs/:id',
    summary: "a run's state, output and stats",
    response: Summary,
  },
  {
    method: 'get',
    path: '/v1/runs/:id/events',
    summary: "a run's journal events (SSE, replayable from Last-Event-ID)",
    sse: true,
  },
  {
    method: 'get',
    path: '/v1/runs/:id/view',
    summary: 'the run drawn: graph, timeline, node details',
  },
  {
    method: 'post',
    path: '/v1/runs/:id/approvals',
    summary: 'approve or deny a waiting call',
    body: ApprovalRequest,
    response: Ok,
    status: 202,
  },
  { method: 'post', path: '/v1/runs/:id/cancel', summary: 'cancel a run', response: Ok },
  {
    method: 'post',
    path: '/v1/plans/validate',
    summary: 'validate a plan against the tools',
    body: ValidateRequest,
    response: Validation,
  },
  {
    method: 'get',
    path: '/v1/events',
    summary: 'changes to runs and tasks as they happen (SSE, not replayed: read the list first)',
    sse: true,
  },
  { method: 'get', path: '/v1/tools', summary: 'the registered tools and their input schemas' },
];

function schema(s: z.ZodType, io: 'input' | 'output'): unknown {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTE_DOCS) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (r.query) {
      for (const [name, field] of Object.entries(r.query.shape))
        parameters.push({
          name,
          in: 'query',
          required: false,
          schema: schema(field as z.ZodType, 'input'),
        });
    }
    if (r.sse)
      parameters.push({
        name: 'Last-Event-ID',
        in: 'header',
        required: false,
        schema: { type: 'string' },
      });
    const ok = r.sse
      ? {
          description: 'text/event-stream',
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        }
      : {
          description: 'ok',
          content: {
            'application/json': { schema: r.response ? schema(r.response, 'output') : {} },
          },
        };
    paths[path] ??= {};
    paths[path][r.method] = {
      summary: r.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schema(r.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [String(r.status ?? 200)]: ok,
        '400': {
          description: 'bad request: issues as data',
          content: { 'application/json': { schema: schema(ErrorBody, 'output') } },
        },
        '401': { description: 'no or wrong bearer token' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'toolplan serve', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
