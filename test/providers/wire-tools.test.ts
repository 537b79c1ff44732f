import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toAnthropicTools, toOpenAITools } from '../../src/providers/wire-tools.ts';
import { toolSpecs } from '../../src/tool/provider-tools.ts';
import { ToolRegistry } from '../../src/tool/registry.ts';

const registry = ToolRegistry.from([
  {
    name: 'math_toolkit.sum_of_multiples',
    description: 'BFCL-style dotted name',
    inputSchema: {
      type: 'dict',
      properties: { lower: { type: 'integer' }, ratio: { type: 'float' } },
      required: ['lower'],
    },
    execute: () => 1,
  },
  {
    name: 'get_user',
    description: 'A user',
    inputSchema: z.object({ user_id: z.string() }),
    execute: () => ({}),
  },
]);

describe('registry exports for providers', () => {
  it('maps a dotted name to a valid OpenAI function name and back', () => {
    const { tools, names } = toOpenAITools(registry);
    const wire = tools.map((t) => t.function.name);
    for (const n of wire) expect(n).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(wire).toContain('get_user');
    const dotted = names.toProvider('math_toolkit.sum_of_multiples');
    expect(dotted).not.toContain('.');
    expect(names.fromProvider(dotted)).toBe('math_toolkit.sum_of_multiples');
  });

  it('hands OpenAI normalised JSON Schema parameters (BFCL types mapped)', () => {
    const { tools } = toOpenAITools(registry);
    const math = tools.find((t) => t.function.name.startsWith('math_toolkit'))!;
    expect(math.function.parameters).toMatchObject({
      type: 'object',
      properties: { lower: { type: 'integer' }, ratio: { type: 'number' } },
      required: ['lower'],
    });
  });

  it('gives Anthropic input_schema objects from zod and JSON Schema tools', () => {
    const { tools } = toAnthropicTools(registry);
    const user = tools.find((t) => t.name === 'get_user')!;
    expect(user.input_schema).toMatchObject({
      type: 'object',
      properties: { user_id: { type: 'string' } },
      required: ['user_id'],
    });
    expect(tools.every((t) => t.input_schema.type === 'object')).toBe(true);
  });

  it('keeps the neutral specs in registration order', () => {
    expect(toolSpecs(registry).map((t) => t.name)).toEqual([
      'math_toolkit.sum_of_multiples',
      'get_user',
    ]);
  });
});
