/**
 * Tool sources the CLI opened (MCP servers) and has not closed yet. Why its own module: the
 * CLI's entry point closes them after any command, without loading the MCP SDK itself.
 */
const open = new Set<() => Promise<void>>();

export function trackToolSource(close: () => Promise<void>): () => void {
  open.add(close);
  return () => open.delete(close);
}

/** Closes every tracked source (ends stdio servers' processes); never rejects. */
export async function closeAllToolSources(): Promise<void> {
  const closers = [...open];
  open.clear();
  await Promise.all(closers.map((c) => c().catch(() => {})));
}
