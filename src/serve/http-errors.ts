import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { z } from 'zod';
import { isToolplanError } from '../errors/toolplan-error.ts';

/** Bad requests answer with issues as data; nothing here ever sends a stack trace. */
export function badRequest(
  c: Context,
  code: string,
  message: string,
  issues?: unknown[],
): Response {
  return c.json({ error: { code, message }, ...(issues ? { issues } : {}) }, 400);
}

export function zodIssues(error: z.ZodError): { path: string; code: string; message: string }[] {
  return error.issues.map((i) => ({
    path: `/${i.path.map(String).join('/')}`,
    code: i.code,
    message: i.message,
  }));
}

const STATUS: Record<string, 404 | 409 | 503> = {
  run_not_found: 404,
  task_not_found: 404,
  not_waiting: 409,
  not_resumable: 409,
  run_leased: 409,
  draining: 503,
};

/** A thrown error as an answer: typed errors by their code, anything else a bare 500. */
export function errorResponse(c: Context, error: unknown): Response {
  // Hono's own refusals (a missing or wrong token) carry their answer.
  if (error instanceof HTTPException) return error.getResponse();
  if (isToolplanError(error)) {
    const status = STATUS[error.code] ?? (error.blame === 'config' ? 400 : 500);
    return c.json({ error: { code: error.code, message: error.message } }, status);
  }
  return c.json({ error: { code: 'internal', message: 'internal error' } }, 500);
}

/** Parses a JSON body against a schema; `Response` when it is not one. */
export async function jsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
): Promise<z.infer<S> | Response> {
  let value: unknown;
  try {
    value = JSON.parse(await c.req.text());
  } catch (error) {
    return badRequest(c, 'bad_json', `the body is not JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    return badRequest(
      c,
      'bad_request',
      'the body does not match the schema',
      zodIssues(parsed.error),
    );
  return parsed.data;
}
