// A strict NodeNext TypeScript program against the shipped .d.ts: it must type-check.
import {
  executePlan,
  type PlanT,
  type RunResult,
  runTask,
  type TaskResult,
  type Tool,
  ToolRegistry,
  validatePlan,
} from 'toolplan';
import { ScriptedModel, toolCallsResponse } from 'toolplan/testing';
import { createBundledTools } from 'toolplan/tools';

const greet: Tool = {
  name: 'greet',
  description: 'Greets someone.',
  inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
  execute: async (args) => `hello ${(args as { name: string }).name}`,
};

const tools = ToolRegistry.from([greet, ...createBundledTools()]);
const plan: PlanT = { version: 1, nodes: [{ id: 'g', call: 'greet', args: { name: 'Ada' } }] };
const valid: boolean = validatePlan(plan, tools).valid;
const run: RunResult = await executePlan(plan, { tools });
const model = new ScriptedModel([toolCallsResponse([{ name: 'submit_plan', args: plan }])]);
const task: TaskResult = await runTask('greet Ada', { model, tools });
export const summary: string = `${valid} ${run.status} ${task.status}`;
