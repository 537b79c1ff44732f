import { shopTools } from './shop-tools.ts';

/** The test shop tools as a tools module, for child-process CLI tests (`--tools`). */
export const tools = shopTools().tools;
