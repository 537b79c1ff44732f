/**
 * A worker process with the claim's timings set directly (the CLI derives them from
 * `--lock-ms`): `node --import tsx claim-worker.ts URL LOCK_MS CLAIM_MS`. Serves the remote
 * test tools on the default queue until SIGTERM.
 */
import { ToolWorker } from '../../../src/redis/tool-worker.ts';
import { loadRegistry } from '../../../src/tool/load-tools-module.ts';
import { REMOTE_TOOLS } from './fleet.ts';

const [url, lockMs, claimMs] = process.argv.slice(2);
const worker = new ToolWorker({
  url: url!,
  tools: await loadRegistry([REMOTE_TOOLS]),
  concurrency: 4,
  lockDurationMs: Number(lockMs),
  claimMs: Number(claimMs),
});
await worker.start();
process.stderr.write('claim worker: serving\n');
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
