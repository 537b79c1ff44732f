// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { executePlan, runTask, ToolRegistry, validatePlan } from 'toolplan';
import { ScriptedModel, toolCallsResponse } from 'toolplan/testing';

// A tool is a plain object; its schemas are JSON Schema here (zod schemas work too).
const tools = ToolRegistry.from([
  {
    name: 'get_price',
    description: 'The price of a product, in dollars.',
    inputSchema: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] },
    outputSchema: {
      type: 'object',
      properties: { price: { type: 'number' } },
      required: ['price'],
    },
    execute: async ({ sku }) => ({ price: sku === 'A1' ? 12.5 : 3 }),
  },
]);

const plan = {
  version: 1,
  input: {
    type: 'object',
    properties: { skus: { type: 'array', items: { type: 'string' } } },
    required: ['skus'],
  },
  nodes: [
    {
      id: 'prices',
      map: '${input.skus}',
      as: 'sku',
      do: [{ id: 'p', call: 'get_price', args: { sku: '${sku}' } }],
    },
    { id: 'total', value: '${ sum(prices.map(x, x.price)) }' },
  ],
  output: 'A1 and B2 cost ${total} dollars',
  final: true,
};

// Check a plan without running it: issues carry a JSON pointer, a code and a message.
const check = validatePlan(plan, tools);
console.log('valid:', check.valid, check.issues);

// A scripted run: no LLM.
const signal = AbortSignal.timeout(10_000);
const run = await executePlan(plan, { tools, input: { skus: ['A1', 'B2'] }, signal });
console.log('exec:', run.status, run.output);

// A task through the loop. ScriptedModel (from 'toolplan/testing') stands in for an LLM and
// answers with the plan; in production: createModel({ provider: 'openai' }).
const model = new ScriptedModel([toolCallsResponse([{ name: 'submit_plan', args: plan }])]);
const result = await runTask('What do A1 and B2 cost together?', {
  model,
  tools,
  input: { skus: ['A1', 'B2'] },
  signal,
});
console.log('task:', result.status, result.status === 'answered' ? result.answer : result.error);
