import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/runtime-errors.ts';
import {
  buildCassette,
  readResponses,
  type ScriptedTurn,
  turnToReply,
} from '../../src/eval/cassette-builder.ts';
import { createReplayFetch } from '../../src/record/replay-fetch.ts';

const plan = {
  version: 1,
  nodes: [{ id: 'a', call: 'get_user', args: { user_id: 'u1' } }],
  final: true,
};
const turns: ScriptedTurn[] = [
  { plan },
  {
    toolCalls: [
      { name: 'get_weather', args: { city: 'Paris' } },
      { name: 'get_weather', args: { city: 'Oslo' } },
    ],
    text: 'Checking.',
  },
  { text: 'Paris is warmer.', usage: { inputTokens: 5, outputTokens: 4 } },
];

describe('turnToReply', () => {
  it('a plan becomes one submit_plan call with the plan as its arguments', () => {
    expect(turnToReply({ plan }, 0)).toEqual({
      toolCalls: [{ id: 'call_plan_1', name: 'submit_plan', args: plan }],
      usage: { inputTokens: 900, outputTokens: 60 },
      chunkSize: 48,
    });
  });

  it('tool calls get ids by turn and position, with the text when there is some', () => {
    expect(turnToReply(turns[1]!, 2)).toEqual({
      text: 'Checking.',
      toolCalls: [
        { id: 'call_3_1', name: 'get_weather', args: { city: 'Paris' } },
        { id: 'call_3_2', name: 'get_weather', args: { city: 'Oslo' } },
      ],
      usage: { inputTokens: 1200, outputTokens: 60 },
      chunkSize: 48,
    });
    expect(turnToReply({ toolCalls: [], text: '' }, 0)).not.toHaveProperty('text');
  });

  it('text streams in smaller pieces; given usage wins over the default', () => {
    expect(turnToReply(turns[2]!, 1)).toEqual({
      text: 'Paris is warmer.',
      usage: { inputTokens: 5, outputTokens: 4 },
      chunkSize: 24,
    });
    // The default input tokens grow with the turn, as a conversation's would.
    expect(turnToReply({ text: 'x' }, 4).usage).toEqual({ inputTokens: 1500, outputTokens: 60 });
  });
});

describe('buildCassette', () => {
  it('one streamed interaction per turn on the provider’s route, with stable ids', () => {
    const openai = buildCassette('openai', turns, { note: 'n', model: 'gpt-x' });
    expect(openai.version).toBe(1);
    expect(openai.note).toBe('n');
    expect(openai.interactions.map((i) => i.request)).toEqual(
      turns.map(() => ({ method: 'POST', path: '/v1/chat/completions' })),
    );
    for (const [i, interaction] of openai.interactions.entries()) {
      expect(interaction.response.status).toBe(200);
      expect(interaction.response.headers['content-type']).toContain('text/event-stream');
      expect(interaction.response.stream![0]).toContain(`"id":"chatcmpl-eval${i + 1}"`);
      expect(interaction.response.stream![0]).toContain('"model":"gpt-x"');
    }
    const anthropic = buildCassette('anthropic', turns);
    expect(anthropic).not.toHaveProperty('note');
    expect(anthropic.interactions.map((i) => i.request.path)).toEqual(
      turns.map(() => '/v1/messages'),
    );
    expect(anthropic.interactions[2]!.response.stream![0]).toContain('"id":"msg_eval3"');
  });

  it('the OpenAI SDK streams each turn back as written', async () => {
    const client = new OpenAI({
      apiKey: 'k',
      maxRetries: 0,
      fetch: createReplayFetch({ cassette: buildCassette('openai', turns) }),
    });
    const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'q' }] };
    const [one, two, three] = [
      await client.chat.completions.stream(ask).finalChatCompletion(),
      await client.chat.completions.stream(ask).finalChatCompletion(),
      await client.chat.completions.stream(ask).finalChatCompletion(),
    ];
    const call = one.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.name).toBe('submit_plan');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual(plan);
    expect(two.choices[0]!.message.content).toBe('Checking.');
    expect(two.choices[0]!.message.tool_calls!.map((c) => c.id)).toEqual(['call_2_1', 'call_2_2']);
    expect(three.choices[0]!.message.content).toBe('Paris is warmer.');
    expect(three.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 4 });
  });

  it('the Anthropic SDK streams each turn back as written', async () => {
    const client = new Anthropic({
      apiKey: 'k',
      maxRetries: 0,
      fetch: createReplayFetch({ cassette: buildCassette('anthropic', turns) }),
    });
    const ask = { model: 'm', max_tokens: 10, messages: [{ role: 'user' as const, content: 'q' }] };
    const one = await client.messages.stream(ask).finalMessage();
    const two = await client.messages.stream(ask).finalMessage();
    const three = await client.messages.stream(ask).finalMessage();
    expect(one.content).toEqual([
      { type: 'tool_use', id: 'call_plan_1', name: 'submit_plan', input: plan },
    ]);
    expect(one.stop_reason).toBe('tool_use');
    expect(two.content.map((b) => b.type)).toEqual(['text', 'tool_use', 'tool_use']);
    expect(three.content).toMatchObject([{ type: 'text', text: 'Paris is warmer.' }]);
    expect(three.content).toHaveLength(1);
    expect(three.stop_reason).toBe('end_turn');
  });
});

describe('readResponses', () => {
  const write = (content: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'toolplan-responses-')), 'responses.json');
    writeFileSync(path, content);
    return path;
  };

  it('reads turns and the note', () => {
    const path = write(JSON.stringify({ note: 'why', turns }));
    expect(readResponses(path)).toEqual({ note: 'why', turns });
  });

  it('names the file and the field of a bad turn', () => {
    const path = write(JSON.stringify({ turns: [{ text: 'ok' }, { text: 1 }] }));
    expect(() => readResponses(path)).toThrow(ConfigError);
    expect(() => readResponses(path)).toThrow(new RegExp(`${path}: field "turns.1`));
    expect(() => readResponses(write(JSON.stringify({ turns: [{ txt: 'typo' }] })))).toThrow(
      /field "turns.0/,
    );
  });

  it('refuses no turns, unknown top-level keys, bad JSON and a missing file', () => {
    expect(() => readResponses(write('{"turns": []}'))).toThrow(/field "turns"/);
    expect(() => readResponses(write('{"turns": [{"text":"x"}], "extra": 1}'))).toThrow(
      /field "\(file\)"/,
    );
    expect(() => readResponses(write('{"turns": ['))).toThrow(
      expect.objectContaining({ code: 'bad_responses' }),
    );
    expect(() => readResponses('/nonexistent/responses.json')).toThrow(
      /\/nonexistent\/responses\.json: ENOENT/,
    );
  });
});

describe('bundled cassettes', () => {
  it('the checked-in cassettes are what the builder makes from responses.json', async () => {
    const { findCaseDirs, loadCase } = await import('../../src/eval/eval-case.ts');
    const { BUNDLED_CASES } = await import('../../src/cli/eval.ts');
    const { readCassette } = await import('../../src/record/cassette.ts');
    const { existsSync } = await import('node:fs');
    let checked = 0;
    for (const dir of findCaseDirs(BUNDLED_CASES)) {
      const c = loadCase(dir);
      const source = join(dir, 'responses.json');
      if (c.origin === 'recorded' || !existsSync(source)) continue;
      const responses = readResponses(source);
      const built = buildCassette(c.provider, responses.turns, {
        note: responses.note,
        model: c.model,
      });
      expect(
        readCassette(c.cassettePath),
        `${c.name}: run npx tsx evals/write-cassettes.ts`,
      ).toEqual(built);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });
});
