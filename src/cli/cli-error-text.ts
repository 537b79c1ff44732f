/**
 * Errors as a person at the command line reads them. Library messages speak to a program
 * (`createRecordingFetch({ cassettePath })`); on the terminal the same fault is told in
 * options the person can type.
 */
export interface CliErrorLike {
  name: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
}

export function cliErrorText(error: CliErrorLike, cassette?: string): string {
  if (error.code === 'cassette_miss') {
    const d = error.details ?? {};
    const file = cassette ?? (typeof d.cassettePath === 'string' ? d.cassettePath : 'FILE');
    const summary = Array.isArray(d.summary) ? d.summary.map((l) => `\n  - ${l}`).join('') : '';
    return (
      `the cassette ${file} has no recording for this request (${String(d.method ?? 'POST')} ${String(d.path ?? '')}):${summary}\n` +
      `The conversation went differently from the recording. To record it anew against the live provider, run the same command with --cassette ${file} --record (a key in OPENAI_API_KEY or ANTHROPIC_API_KEY is needed).`
    );
  }
  if (error.code === 'cassette_missing') {
    const d = error.details ?? {};
    const file = typeof d.cassettePath === 'string' ? d.cassettePath : (cassette ?? 'FILE');
    return `the cassette ${file} cannot be read (no such file, or not readable). To record one, run the same command with --cassette ${file} --record (a key in OPENAI_API_KEY or ANTHROPIC_API_KEY is needed).`;
  }
  return error.message;
}

/** The text of anything thrown, for a person. */
export function cliThrownText(error: unknown, cassette?: string): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Error & { code?: unknown; details?: unknown };
  return cliErrorText(
    {
      name: e.name,
      message: e.message,
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      ...(e.details && typeof e.details === 'object'
        ? { details: e.details as Record<string, unknown> }
        : {}),
    },
    cassette,
  );
}
