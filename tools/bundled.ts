import type { Tool } from '../src/tool/tool.ts';
import { createCalc } from './calc/index.ts';
import { createFiles } from './files/index.ts';
import type { Sandbox } from './files/sandbox.ts';
import { createGeo } from './geo/index.ts';
import { createJobs, type Jobs, type JobsOptions } from './jobs/index.ts';
import { createListing, type ListingOptions } from './listing/index.ts';
import { createScenario, type ScenarioOptions, type ScenarioState } from './scenario/index.ts';
import { createShop, type ShopOptions, type ShopState } from './shop/index.ts';
import { withLatency } from './support/latency.ts';
import { createText } from './text/index.ts';

export interface BundledToolsOptions {
  /** Folder for the file tools; default a fresh temp dir, created on first use. */
  sandboxDir?: string;
  /** Seeds every "random" value (quote prices, exchange rates). Default 1. */
  seed?: number;
  /** Every call first waits this long, honouring its signal (benchmarks). Default 0. */
  latencyMs?: number;
  shop?: ShopOptions;
  jobs?: JobsOptions;
  listing?: ListingOptions;
  scenario?: Omit<ScenarioOptions, 'seed'>;
}

/** Every bundled tool over one fresh world, plus that world's state for checking effects. */
export interface BundledWorld {
  tools: Tool[];
  shop: ShopState;
  jobs: Jobs['state'];
  scenario: ScenarioState;
  sandbox: Sandbox;
}

export function createBundledWorld(options: BundledToolsOptions = {}): BundledWorld {
  const shop = createShop(options.shop);
  const jobs = createJobs(options.jobs);
  const scenario = createScenario({ ...options.scenario, seed: options.seed ?? 1 });
  const files = createFiles({ sandboxDir: options.sandboxDir });
  const all = [
    ...shop.tools,
    ...jobs.tools,
    ...createListing(options.listing).tools,
    ...createGeo().tools,
    ...createCalc().tools,
    ...createText().tools,
    ...files.tools,
    ...scenario.tools,
  ];
  const latency = Math.max(0, options.latencyMs ?? 0);
  return {
    tools: all.map((t) => withLatency(t, latency)),
    shop: shop.state,
    jobs: jobs.state,
    scenario: scenario.state,
    sandbox: files.sandbox,
  };
}

/** The bundled offline tools over fresh state: nothing is shared with any other call. */
export function createBundledTools(options: BundledToolsOptions = {}): Tool[] {
  return createBundledWorld(options).tools;
}
