import { createBundledTools } from './bundled.ts';

export {
  type BundledToolsOptions,
  type BundledWorld,
  createBundledTools,
  createBundledWorld,
} from './bundled.ts';
export { createCalc } from './calc/index.ts';
export { createFiles, type FilesOptions } from './files/index.ts';
export { createGeo } from './geo/index.ts';
export { createJobs, type JobsOptions } from './jobs/index.ts';
export { createListing, type ListingOptions } from './listing/index.ts';
export { createScenario, type ScenarioOptions, type ScenarioState } from './scenario/index.ts';
export { createShop, type ShopOptions, type ShopState } from './shop/index.ts';
export { createText } from './text/index.ts';

/**
 * The bundled tools with default options, for `--tools tools/index.ts`. One shared world
 * for this module instance; programs that need isolation call createBundledTools().
 */
export const tools = createBundledTools();
export default tools;
