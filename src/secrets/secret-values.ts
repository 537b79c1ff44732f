/**
 * Which values are secrets and how they are scrubbed from text: shared by everything that
 * writes what a run saw (cassettes in `record/`, saved tasks in `loop/`), so neither depends on
 * the other for it.
 */

export const REDACTED = '[redacted]';

/** Environment variables whose values are scrubbed from everything written. */
export const SECRET_ENV_VARIABLES = [
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
] as const;

/** The secrets to scrub: the key variables' values plus any given, longest first. */
export function collectSecrets(
  env: Record<string, string | undefined>,
  extra: readonly string[] = [],
): string[] {
  const values = [...SECRET_ENV_VARIABLES.map((name) => env[name]), ...extra];
  // Very short values would scrub ordinary text; no real key is that short.
  const secrets = values.filter((value): value is string => !!value && value.length >= 8);
  return [...new Set(secrets)].sort((a, b) => b.length - a.length);
}

export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return out;
}
