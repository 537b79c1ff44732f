/**
 * `toolplan/redis`: toolplan past one machine, on BullMQ over Redis. A separate entry point,
 * so that importing `toolplan` does not load BullMQ and ioredis.
 */
export {
  type CallJob,
  DEFAULT_QUEUE,
  decodeFailure,
  encodeFailure,
  jobIdFor,
} from './job-codec.ts';
export { RedisApprovals } from './redis-approvals.ts';
export { closeRedis, connectRedis } from './redis-connection.ts';
export { type RedisJournalOptions, RedisJournalStore } from './redis-journal-store.ts';
export { RedisKeys } from './redis-keys.ts';
export { RedisServerProcess } from './redis-server-process.ts';
export { RemoteCalls, type RemoteCallsOptions } from './remote-calls.ts';
export { RunCoordinator, type RunCoordinatorOptions } from './run-coordinator.ts';
export { ToolWorker, type ToolWorkerOptions } from './tool-worker.ts';
