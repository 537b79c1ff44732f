/** Who has to act to fix an error: the person configuring toolplan, the LLM, a tool, or us. */
export type Blame = 'config' | 'model' | 'tool' | 'internal';

export interface ToolplanErrorOptions {
  code: string;
  blame: Blame;
  cause?: unknown;
  /** Structured fields a program can act on without parsing the message. */
  details?: Record<string, unknown>;
  /** A tool can mark an error as not worth retrying. */
  retryable?: boolean;
}

/**
 * Base of every error toolplan raises. `name` is the stable error name that plans see in
 * `retry.on` and in `catch` as `error.name`; `code` is a finer, stable machine code.
 */
export class ToolplanError extends Error {
  readonly code: string;
  readonly blame: Blame;
  readonly details: Record<string, unknown>;
  readonly retryable: boolean;

  constructor(name: string, message: string, options: ToolplanErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    this.code = options.code;
    this.blame = options.blame;
    this.details = options.details ?? {};
    this.retryable = options.retryable ?? true;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      blame: this.blame,
      message: this.message,
      details: this.details,
    };
  }
}

export function isToolplanError(value: unknown): value is ToolplanError {
  return value instanceof ToolplanError;
}
