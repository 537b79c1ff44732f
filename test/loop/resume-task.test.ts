// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FileJournalStore } from '../../src/exec/file-journal-store.ts';
import { MemoryJournalStore } from '../../src/exec/journal-store.ts';
import type { LoopEvent } from '../../src/loop/events.ts';
import { resumeTask } from '../../src/loop/resume-task.ts';
import { runTask } from '../../src/loop/run-task.ts';
import { FileTaskStore, type SavedTask } from '../../src/loop/task-store.ts';
import { OpenAIModel } from '../../src/providers/openai.ts';
import { openaiChatStream, type WireStreamReply } from '../../src/record/wire-formats.ts';
import { startWireServer, type WireServer } from '../../src/record/wire-server.ts';
import { planCall, textReply } from './support/llm-server.ts';
import { shopTools } from './support/shop-tools.ts';

const KEY = 'sk-resume-test-4f9c2e7a1b';
const root = mkdtempSync(join(tmpdir(), 'toolplan-resume-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let server: WireServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The real OpenAI SDK against a wire server on 127.0.0.1, with a key worth grepping for. */
async function provider() {
  server = await startWireServer();
  const s = server;
  return {
    // A model per "process": the second one shares nothing with the first but the server.
    model: () =>
      new OpenAIModel({
        baseURL: `${s.origin}/v1`,
        apiKey: KEY,
        maxRetries: 0,
        model: 'gpt-4.1-mini',
      }),
    reply: (...replies: WireStreamReply[]) => {
      for (const r of replies) s.enqueue({ stream: openaiChatStream(r) });
    },
    bodies: () => s.requests.map((r) => r.body as { messages: Msg[] }),
    headers: () => s.requests.map((r) => r.headers),
  };
}

type Msg = { role: string; content?: unknown };
let dirs = 0;
const journalDir = () => join(root, `journal-${++dirs}`);

/** o1 runs at once; d waits for approval; no `final`: the results are joined. */
const gated = {
  version: 1,
  nodes: [
    { id: 'o1', call: 'get_orders', args: { user_id: 'u1' } },
    { id: 'd', call: 'delete_everything', args: {}, after: ['o1'] },
  ],
};

const names = (log: { calls: { name: string }[] }) => log.calls.map((c) => c.name);

describe('resumeTask: a suspended task continues after approval', () => {
  it('saves the task without the key; --approve runs the call once, joins and answers within the budget', async () => {
    const llm = await provider();
    const dir = journalDir();
    llm.reply(planCall(gated));
    const first = shopTools();
    const suspended = await runTask('Delete everything, then say how many orders u1 had', {
      model: llm.model(),
      tools: first.tools,
      store: new FileJournalStore(dir),
      budgets: { maxLlmCalls: 2 },
    });
    expect(suspended.error).toBeUndefined();
    expect(suspended.status).toBe('suspended');
    expect(suspended.pending).toEqual([{ nodeId: 'd', tool: 'delete_everything', args: {} }]);
    expect(names(first.log)).toEqual(['get_orders']);
    const taskId = suspended.taskId!;
    expect(taskId).toMatch(/^task-/);

    const file = join(dir, 'tasks', `${taskId}.json`);
    const text = readFileSync(file, 'utf8');
    // The key was really used on the wire, and is nowhere in the saved task.
    expect(llm.headers()[0]!.authorization).toContain(KEY);
    expect(text).not.toContain(KEY);
    expect(text.toLowerCase()).not.toContain('authorization');
    const saved = JSON.parse(text) as SavedTask;
    expect(saved).toMatchObject({
      kind: 'toolplan.task',
      version: 1,
      status: 'suspended',
      settings: { mode: 'plan', syntax: 'json', provider: 'openai', model: 'gpt-4.1-mini' },
      state: { version: 1, usage: { llmCalls: 1 }, budgets: { maxLlmCalls: 2 } },
    });
    expect(saved.state.previous).toHaveProperty('o1');

    // A new "process": fresh tools (fresh log), store and model; only the files are shared.
    llm.reply(textReply('Everything is deleted; u1 had 2 orders.'));
    const second = shopTools();
    const events: LoopEvent[] = [];
    const resumed = await resumeTask(taskId, {
      model: llm.model(),
      tools: second.tools,
      store: new FileJournalStore(dir),
      approveNodes: ['d'],
      onEvent: (e) => events.push(e),
    });
    expect(resumed.error).toBeUndefined();
    expect(resumed).toMatchObject({
      status: 'answered',
      answer: 'Everything is deleted; u1 had 2 orders.',
    });
    // The approved call ran exactly once; o1 (finished before) was not run again.
    expect(names(second.log)).toEqual(['delete_everything']);
    expect(resumed.usage.llmCalls).toBe(2);
    expect(llm.bodies()).toHaveLength(2);
    expect(events[0]).toMatchObject({ type: 'task.resumed', taskId, approved: ['d'] });

    // The join continues the same conversation, with both results as data.
    const [plan, joined] = llm.bodies();
    expect(joined!.messages.slice(0, plan!.messages.length)).toEqual(plan!.messages);
    const join_ = JSON.stringify(joined!.messages.at(-1));
    expect(join_).toContain('deleted');
    expect(join_).toContain('o1');

    // Finished: the file says so, and a second resume is refused (it would join again).
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      status: 'answered',
      answer: 'Everything is deleted; u1 had 2 orders.',
    });
    const again = await resumeTask(taskId, {
      model: llm.model(),
      tools: second.tools,
      store: new FileJournalStore(dir),
    });
    expect(again.status).toBe('failed');
    expect(again.error).toMatchObject({ name: 'ConfigError', code: 'task_finished' });
    expect(llm.bodies()).toHaveLength(2);
  });

  it('a final plan that waited answers on resume with no LLM call', async () => {
    const llm = await provider();
    const dir = journalDir();
    const final = { ...gated, output: 'deleted after reading ${size(o1)} orders', final: true };
    llm.reply(planCall(final));
    const suspended = await runTask('x', {
      model: llm.model(),
      tools: shopTools().tools,
      store: new FileJournalStore(dir),
    });
    expect(suspended.status).toBe('suspended');
    const second = shopTools();
    const resumed = await resumeTask(suspended.taskId!, {
      model: llm.model(),
      tools: second.tools,
      store: new FileJournalStore(dir),
      approveNodes: ['d'],
    });
    expect(resumed).toMatchObject({ status: 'answered', answer: 'deleted after reading 2 orders' });
    expect(names(second.log)).toEqual(['delete_everything']);
    expect(llm.bodies()).toHaveLength(1);
  });

  it('deny: the call fails with ApprovalDenied, the LLM is told and answers; it never runs', async () => {
    const llm = await provider();
    const dir = journalDir();
    llm.reply(planCall(gated));
    const suspended = await runTask('x', {
      model: llm.model(),
      tools: shopTools().tools,
      store: new FileJournalStore(dir),
    });
    llm.reply(textReply('Nothing was deleted.'));
    const second = shopTools();
    const resumed = await resumeTask(suspended.taskId!, {
      model: llm.model(),
      tools: second.tools,
      store: new FileJournalStore(dir),
      denyNodes: ['d'],
    });
    expect(resumed).toMatchObject({ status: 'answered', answer: 'Nothing was deleted.' });
    expect(second.log.calls).toHaveLength(0);
    expect(JSON.stringify(llm.bodies()[1]!.messages.at(-1))).toContain('ApprovalDenied');
  });

  it('deny with no re-plans left: the task fails, naming ApprovalDenied, with no LLM call', async () => {
    const llm = await provider();
    const dir = journalDir();
    llm.reply(planCall(gated));
    const suspended = await runTask('x', {
      model: llm.model(),
      tools: shopTools().tools,
      store: new FileJournalStore(dir),
      maxReplans: 0,
    });
    const resumed = await resumeTask(suspended.taskId!, {
      model: llm.model(),
      tools: shopTools().tools,
      store: new FileJournalStore(dir),
      denyNodes: ['d'],
    });
    expect(resumed.status).toBe('failed');
    expect(resumed.error?.code).toBe('execution_failed');
    expect(resumed.error?.message).toContain('ApprovalDenied');
    expect(llm.bodies()).toHaveLength(1);
  });

  it('budgets continue from what was consumed: the join would be LLM call 2 of 1', async () => {
    const llm = await provider();
    const dir = journalDir();
    llm.reply(planCall(gated));
    const suspended = await runTask('x', {
      model: llm.model(),
      tools: shopTools().tools,
      store: new FileJournalStore(dir),
      budgets: { maxLlmCalls: 1 },
    });
    const second = shopTools();
    const resumed = await resumeTask(suspended.taskId!, {
      model: llm.model(),
      tools: second.tools,
      store: new FileJournalStore(dir),
      approveNodes: ['d'],
    });
    expect(resumed.status).toBe('failed');
    expect(resumed.error).toMatchObject({ name: 'BudgetExceeded' });
    expect(resumed.usage.llmCalls).toBe(1);
    expect(names(second.log)).toEqual(['delete_everything']);
    expect(llm.bodies()).toHaveLength(1);
  });

  it('the deadline counts active time: the wait is free, time used before is not', async () => {
    const llm = await provider();
    const dir = journalDir();
    llm.reply(planCall({ ...gated, output: 'ok', final: true }));
    const suspended = await runTask('x', {
      model: llm.model(),
      tools: shopTools().tools,
      store: new FileJournalStore(dir),
      budgets: { deadlineMs: 60_000 },
    });
    const tasks = new FileTaskStore(join(dir, 'tasks'));
    const saved = (await tasks.load(suspended.taskId!))!;
    expect(saved.activeMs).toBeLessThan(60_000);
    // As if the task had been active for 61 s before it suspended (a day ago, say).
    await tasks.save({ ...saved, activeMs: 61_000, savedAt: '2000-01-01T00:00:00.000Z' });
    const second = shopTools();
    const resumed = await resumeTask(suspended.taskId!, {
      model: llm.model(),
      tools: second.tools,
      store: new FileJournalStore(dir),
      approveNodes: ['d'],
    });
    expect(resumed.status).toBe('failed');
    expect(resumed.error).toMatchObject({ name: 'BudgetExceeded' });
    expect(resumed.error?.message).toContain('deadlineMs');
    expect(second.log.calls).toHaveLength(0);
  });

  it('a re-plan that needs approval suspends again under the same task id, and resumes again', async () => {
    const llm = await provider();
    const dir = journalDir();
    const read = { version: 1, nodes: [{ id: 'o1', call: 'get_orders', args: { user_id: 'u1' } }] };
    llm.reply(planCall(read), planCall(gated));
    const suspended = await runTask('x', {
      model: llm.model(),
      tools: shopTools().tools,
      store: new FileJournalStore(dir),
    });
    expect(suspended.status).toBe('suspended');
    const second = await resumeTask(suspended.taskId!, {
      model: llm.model(),
      tools: shopTools().tools,
      store: new FileJournalStore(dir),
    });
    // Nothing decided and nobody to ask: still waiting, still resumable.
    expect(second).toMatchObject({ status: 'suspended', taskId: suspended.taskId });
    llm.reply(textReply('done'));
    const third = shopTools();
    const done = await resumeTask(suspended.taskId!, {
      model: llm.model(),
      tools: third.tools,
      store: new FileJournalStore(dir),
      approveNodes: ['d'],
    });
    expect(done).toMatchObject({ status: 'answered', answer: 'done' });
    expect(names(third.log)).toEqual(['delete_everything']);
    expect(done.usage.llmCalls).toBe(3);
  });

  it('an approve callback on resume asks in place for calls not decided', async () => {
    const llm = await provider();
    const dir = journalDir();
    llm.reply(planCall({ ...gated, output: 'ok', final: true }));
    const suspended = await runTask('x', {
      model: llm.model(),
      tools: shopTools().tools,
      store: new FileJournalStore(dir),
    });
    const asked: string[] = [];
    const second = shopTools();
    const resumed = await resumeTask(suspended.taskId!, {
      model: llm.model(),
      tools: second.tools,
      store: new FileJournalStore(dir),
      approve: (r) => {
        asked.push(r.node);
        return true;
      },
    });
    expect(asked).toEqual(['d']);
    expect(resumed).toMatchObject({ status: 'answered', answer: 'ok' });
    expect(names(second.log)).toEqual(['delete_everything']);
  });
});

describe('resumeTask: refusals are ConfigErrors, before anything runs', () => {
  it('an unknown task id', async () => {
    const llm = await provider();
    const result = await resumeTask('task-nope', {
      model: llm.model(),
      tools: shopTools().tools,
      store: new FileJournalStore(journalDir()),
    });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ name: 'ConfigError', code: 'task_not_found' });
    expect(result.error?.message).toContain('task-nope');
  });

  it('a task id that is not a file name', async () => {
    const llm = await provider();
    const result = await resumeTask('../../etc/passwd', {
      model: llm.model(),
      tools: shopTools().tools,
      store: new FileJournalStore(journalDir()),
    });
    expect(result.error).toMatchObject({ name: 'ConfigError', code: 'bad_task_id' });
  });

  it('approving a node that is not waiting: nothing runs, no LLM call, the task stays resumable', async () => {
    const llm = await provider();
    const dir = journalDir();
    llm.reply(planCall(gated));
    const suspended = await runTask('x', {
      model: llm.model(),
      tools: shopTools().tools,
      store: new FileJournalStore(dir),
    });
    const second = shopTools();
    const result = await resumeTask(suspended.taskId!, {
      model: llm.model(),
      tools: second.tools,
      store: new FileJournalStore(dir),
      approveNodes: ['o1'],
    });
    expect(result.error).toMatchObject({ name: 'ConfigError', code: 'not_waiting' });
    expect(result.error?.message).toContain('d (delete_everything)');
    expect(second.log.calls).toHaveLength(0);
    expect(llm.bodies()).toHaveLength(1);
    const file = new FileTaskStore(join(dir, 'tasks'));
    expect((await file.load(suspended.taskId!))?.status).toBe('suspended');
  });

  it('with an in-memory journal store, the task resumes in the same process', async () => {
    const llm = await provider();
    const store = new MemoryJournalStore();
    llm.reply(planCall({ ...gated, output: 'ok', final: true }));
    const suspended = await runTask('x', {
      model: llm.model(),
      tools: shopTools().tools,
      store,
    });
    const resumed = await resumeTask(suspended.taskId!, {
      model: llm.model(),
      tools: shopTools().tools,
      store,
      approveNodes: ['d'],
    });
    expect(resumed).toMatchObject({ status: 'answered', answer: 'ok' });
  });

  it('without a store nothing is saved: no task id', async () => {
    const llm = await provider();
    llm.reply(planCall(gated));
    const dir = journalDir();
    const suspended = await runTask('x', { model: llm.model(), tools: shopTools().tools });
    expect(suspended.status).toBe('suspended');
    expect(suspended.taskId).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
  });
});
