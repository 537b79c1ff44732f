import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../errors/runtime-errors.ts';
import { packagePath } from '../package-root.ts';

/**
 * Prompt text lives in `prompts/` at the package root, resolved from this file's URL so the
 * loop works whatever the current directory is (CLI, tests, embedders).
 */
const PROMPTS_DIR = `${packagePath('prompts')}/`;
const cache = new Map<string, string>();

export function promptsDir(): string {
  return PROMPTS_DIR;
}

export function hasPrompt(name: string): boolean {
  return cache.has(name) || existsSync(`${PROMPTS_DIR}${name}.md`);
}

/** The raw text of `prompts/<name>.md`, trailing newline trimmed. */
export function loadPrompt(name: string): string {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const file = `${PROMPTS_DIR}${name}.md`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8').replace(/\s+$/, '');
  } catch (cause) {
    throw new ConfigError('prompt_missing', `prompt file not found: ${file}`, { cause });
  }
  cache.set(name, text);
  return text;
}

/**
 * Fills `{{name}}` slots in one pass, so a value that itself contains `{{x}}` (tool output,
 * a task) is never expanded again. Unknown slots are an error: a typo must not ship silently.
 */
export function fillPrompt(template: string, vars: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = vars[key];
    if (value === undefined) {
      throw new ConfigError('prompt_slot_missing', `prompt slot {{${key}}} has no value`);
    }
    return value;
  });
}

export function renderPrompt(name: string, vars: Record<string, string> = {}): string {
  return fillPrompt(loadPrompt(name), vars);
}
