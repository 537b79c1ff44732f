import { afterEach } from 'vitest';
import {
  startWireServer,
  type WireServer,
  type WireServerOptions,
} from '../../src/record/wire-server.ts';

export type { ReceivedRequest, WireResponse, WireServer } from '../../src/record/wire-server.ts';
export { startWireServer };

const open: WireServer[] = [];

/** A wire server closed automatically after the current test. */
export async function useWireServer(options: WireServerOptions = {}): Promise<WireServer> {
  const server = await startWireServer(options);
  open.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

/** A key-shaped secret for tests; the redaction tests grep cassettes for it. */
export const TEST_OPENAI_KEY = 'sk-test-toolplan-0123456789abcdef';
export const TEST_ANTHROPIC_KEY = 'sk-ant-test-toolplan-0123456789abcdef';

/** The parts of a provider request body the tests look into. */
export interface WireBody {
  tools: { name?: string; function?: { name: string } }[];
  messages: unknown[];
  tool_choice?: unknown;
  response_format?: unknown;
}

/** The request body the server received, typed for inspection. */
export function bodyOf(request: { body: unknown } | undefined): WireBody {
  if (!request) throw new Error('no such request was received');
  return request.body as WireBody;
}

/** The wire name the adapter gave the `index`th tool (either provider's shape). */
export function wireToolName(request: { body: unknown } | undefined, index = 0): string {
  const tool = bodyOf(request).tools[index];
  const name = tool?.function?.name ?? tool?.name;
  if (name === undefined) throw new Error(`request has no tool ${index}`);
  return name;
}
