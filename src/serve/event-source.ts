/**
 * A journal an SSE stream replays and follows. Apart from `sse.ts` so that the types a
 * server exposes (`PlanRuns`) name no Hono type: the package's .d.ts stay free of Hono's.
 */
export interface EventSource<E extends { seq: number }> {
  read(id: string): Promise<E[]>;
  subscribe(id: string, listener: (event: E) => void): () => void;
}
