import type { Tool } from '../../src/tool/tool.ts';
import { createFaultTools } from './faults.ts';
import { createMessagingTools } from './messaging.ts';
import { createQuoteTools } from './quotes.ts';
import { createScenarioState, type ScenarioOptions, type ScenarioState } from './scenario-state.ts';
import { createWebpageTool } from './webpage.ts';

export type { ScenarioOptions, ScenarioState } from './scenario-state.ts';

/** Tools for the reliability patterns (retry, fallback, race, timeout, approval, injection). */
export function createScenario(options: ScenarioOptions = {}): {
  tools: Tool[];
  state: ScenarioState;
} {
  const state = createScenarioState(options);
  return {
    state,
    tools: [
      ...createQuoteTools(state),
      ...createFaultTools(state),
      ...createMessagingTools(state),
      createWebpageTool(state),
    ],
  };
}
