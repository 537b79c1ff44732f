import { z } from 'zod';
import type { Tool } from '../../src/tool/tool.ts';
import { bundledTool } from '../support/define.ts';
import { notFound } from '../support/errors.ts';
import { idempotent } from '../support/idempotency.ts';

export interface JobsOptions {
  /**
   * How many job_status calls a job takes to finish: the first says "queued", the last
   * "done" (or "failed"), the ones between "running". Default 4, minimum 2.
   */
  statusCallsToFinish?: number;
  /** Job kinds that end "failed" instead of "done". Default ["fail"]. */
  failingKinds?: string[];
}

export interface Job {
  id: string;
  kind: string;
  /** job_status calls so far. */
  polls: number;
}

export interface Jobs {
  tools: Tool[];
  state: { jobs: Map<string, Job> };
}

const JobState = z.enum(['queued', 'running', 'done', 'failed']);

/**
 * A job queue with no clock: a job advances one step per job_status call, so a polling
 * loop ends after a known number of iterations. Job "j1" (a report) exists from the start.
 */
export function createJobs(options: JobsOptions = {}): Jobs {
  const steps = Math.max(2, Math.floor(options.statusCallsToFinish ?? 4));
  const failing = new Set(options.failingKinds ?? ['fail']);
  const jobs = new Map<string, Job>([['j1', { id: 'j1', kind: 'report', polls: 0 }]]);

  const status = (job: Job) => {
    const k = Math.min(job.polls, steps);
    const finished = k >= steps;
    const failed = finished && failing.has(job.kind);
    // A failed job stops where it was on its last running step.
    const step = failed ? k - 1 : k;
    const progress = step <= 1 ? 0 : Math.round((100 * (step - 1)) / (steps - 1));
    return {
      job: job.id,
      kind: job.kind,
      state: finished ? (failed ? 'failed' : 'done') : k <= 1 ? 'queued' : 'running',
      progress,
      result: finished && !failed ? { summary: `${job.kind} ${job.id} complete`, rows: 42 } : null,
      error: failed ? `job ${job.id} (${job.kind}) failed: worker crashed` : null,
    } as const;
  };

  return {
    state: { jobs },
    tools: [
      bundledTool({
        name: 'submit_job',
        description:
          'Start a background job of some kind (e.g. "report", "export"); returns its id at once. Poll job_status until the state is "done" (or "failed"). Changes state.',
        inputSchema: z.object({
          kind: z.string().min(1).max(64).describe('What the job does, e.g. "report"'),
        }),
        outputSchema: z.object({
          job_id: z.string().describe('Job id to pass to job_status, e.g. "j2"'),
          state: z.literal('queued').describe('Always "queued" right after submitting'),
        }),
        mutating: true,
        execute: idempotent(({ kind }) => {
          const id = `j${jobs.size + 1}`;
          jobs.set(id, { id, kind, polls: 0 });
          return { job_id: id, state: 'queued' as const };
        }),
      }),
      bundledTool({
        name: 'job_status',
        description: `Check a background job. Each call advances the job one step: "queued" on the first check, then "running", and "done" (with a result) on check ${steps}; kinds that fail end "failed" with an error. Keep polling while the state is not "done" or "failed". Job "j1" always exists.`,
        inputSchema: z.object({
          job: z.string().min(1).describe('Job id from submit_job, e.g. "j1"'),
        }),
        outputSchema: z.object({
          job: z.string().describe('Job id'),
          kind: z.string().describe('Job kind'),
          state: JobState.describe('queued, running, done or failed'),
          progress: z.number().int().min(0).max(100).describe('Percent complete'),
          result: z
            .object({
              summary: z.string().describe('What the job produced'),
              rows: z.number().int().describe('Rows produced'),
            })
            .nullable()
            .describe('The result once state is "done", else null'),
          error: z.string().nullable().describe('Why it failed when state is "failed", else null'),
        }),
        execute: ({ job }) => {
          const found = jobs.get(job.trim());
          if (!found) throw notFound('job', job, [...jobs.keys()]);
          found.polls += 1;
          return status(found);
        },
      }),
    ],
  };
}
