import fc from 'fast-check';

// Property tests explore new random inputs on every developer run; in CI (CI=true) they use
// a fixed seed, so a landing is never decided by a new random draw. FC_SEED overrides both,
// to replay a failure a run printed.
const seed = process.env.FC_SEED ?? (process.env.CI ? '20261125' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
