import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/runtime-errors.ts';

/** One MCP server to connect to: a command to start (stdio) or a URL (Streamable HTTP). */
export interface McpServerSpec {
  /** Prefix for its tool names (`name.tool`); none keeps the server's names. */
  name?: string;
  command?: string;
  args?: string[];
  /** Added to the small default environment the SDK gives a child (PATH, HOME, ...). */
  env?: Record<string, string>;
  cwd?: string;
  url?: string;
  /** `auto` (default): Streamable HTTP, then the older HTTP+SSE transport if that fails. */
  transport?: 'auto' | 'http' | 'sse';
  /** What to do with plan arguments the tools' schemas do not list (see `unknown_args`). */
  unknownArgs?: 'error' | 'allow';
  /** Upper bound of one call in ms, progress notwithstanding (the plan's timeouts still apply). */
  callTimeoutMs?: number;
  /**
   * With `--redis`: the BullMQ queue the server's tool calls go to (as `queue` on a tool),
   * so only the workers serving that queue (and having this server) run them.
   */
  queue?: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
/** As a tool's `queue` (BullMQ queue names are part of Redis keys). */
const QUEUE = /^[A-Za-z0-9_.-]{1,64}$/;

/** Splits a command line the way a POSIX shell would for words: quotes and backslashes, no expansion. */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string))
        word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote)
    throw new ConfigError(
      'bad_mcp_spec',
      `unclosed ${quote} quote in --mcp ${JSON.stringify(line)}`,
    );
  if (inWord) words.push(word);
  return words;
}

/**
 * Reads `--mcp SPEC`: `[name[@queue]=]URL` (http or https) or `[name[@queue]=]COMMAND ARGS...`.
 * A leading `name=` is a prefix only when it is a plain word, so `FOO=bar cmd` style
 * environment prefixes are not misread: those are not supported (use a config file's `env`).
 * `@queue` routes the server's calls to that Redis queue (see `McpServerSpec.queue`).
 */
export function parseMcpSpec(text: string): McpServerSpec {
  const trimmed = text.trim();
  const eq = /^([A-Za-z_][A-Za-z0-9_-]*)(?:@([^\s=]*))?=(.*)$/s.exec(trimmed);
  const name = eq ? eq[1] : undefined;
  const queue = eq?.[2];
  if (queue !== undefined && !QUEUE.test(queue))
    throw new ConfigError(
      'bad_mcp_spec',
      `--mcp ${JSON.stringify(text)}: queue ${JSON.stringify(queue)} must match ${QUEUE} ("fs@files=npx ...")`,
    );
  const rest = (eq ? eq[3] : trimmed)?.trim() ?? '';
  const spec = parseServer(text, rest);
  return { ...(name ? { name } : {}), ...spec, ...(queue ? { queue } : {}) };
}

/** The server part of `--mcp SPEC`: a URL or a command line. */
function parseServer(text: string, rest: string): McpServerSpec {
  if (rest === '')
    throw new ConfigError(
      'bad_mcp_spec',
      `--mcp ${JSON.stringify(text)} names no server: give a command line ("node server.js") or a URL ("http://127.0.0.1:3001/mcp")`,
    );
  if (/^https?:\/\//i.test(rest)) {
    try {
      new URL(rest);
    } catch {
      throw new ConfigError('bad_mcp_spec', `--mcp ${JSON.stringify(text)}: not a valid URL`);
    }
    return { url: rest };
  }
  const [command, ...args] = splitCommandLine(rest);
  return { command: command as string, args };
}

function specError(file: string, key: string, problem: string): never {
  throw new ConfigError('bad_mcp_config', `MCP config ${file}: server "${key}" ${problem}`, {
    details: { file, server: key },
  });
}

const strings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * Reads an MCP config file: `{ "mcpServers": { "fs": { "command": "node", "args": [...],
 * "env": {...} }, "web": { "url": "http://127.0.0.1:3001/mcp" } } }`, the layout other MCP
 * clients use, plus toolplan's `unknownArgs`, `transport`, `callTimeoutMs` and `queue`. Each key is
 * the server's tool-name prefix unless it sets `"prefix": false`.
 */
export function parseMcpConfig(text: string, file = 'config'): McpServerSpec[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      'bad_mcp_config',
      `MCP config ${file} is not JSON: ${(error as Error).message}`,
    );
  }
  const servers = (doc as { mcpServers?: unknown } | null)?.mcpServers;
  if (!servers || typeof servers !== 'object' || Array.isArray(servers))
    throw new ConfigError(
      'bad_mcp_config',
      `MCP config ${file} needs an object "mcpServers": { "name": { "command": ... } }`,
    );
  return Object.entries(servers as Record<string, unknown>).map(([key, raw]) => {
    if (!NAME.test(key)) specError(file, key, `has a name that is not a word (${NAME})`);
    if (!raw || typeof raw !== 'object') specError(file, key, 'must be an object');
    const s = raw as Record<string, unknown>;
    const spec: McpServerSpec = s.prefix === false ? {} : { name: key };
    if (typeof s.url === 'string') spec.url = s.url;
    else if (typeof s.command === 'string') spec.command = s.command;
    else specError(file, key, 'needs "command" (a program) or "url"');
    if (s.args !== undefined) {
      if (!strings(s.args)) specError(file, key, '"args" must be a list of strings');
      spec.args = s.args;
    }
    if (s.env !== undefined) {
      const env = s.env as Record<string, unknown>;
      if (!env || typeof env !== 'object' || Object.values(env).some((v) => typeof v !== 'string'))
        specError(file, key, '"env" must map names to strings');
      spec.env = env as Record<string, string>;
    }
    if (typeof s.cwd === 'string') spec.cwd = s.cwd;
    if (s.transport !== undefined) {
      if (s.transport !== 'auto' && s.transport !== 'http' && s.transport !== 'sse')
        specError(file, key, '"transport" must be "auto", "http" or "sse"');
      spec.transport = s.transport;
    }
    if (s.unknownArgs !== undefined) {
      if (s.unknownArgs !== 'error' && s.unknownArgs !== 'allow')
        specError(file, key, '"unknownArgs" must be "error" or "allow"');
      spec.unknownArgs = s.unknownArgs;
    }
    if (s.callTimeoutMs !== undefined) {
      if (typeof s.callTimeoutMs !== 'number' || !(s.callTimeoutMs > 0))
        specError(file, key, '"callTimeoutMs" must be a positive number');
      spec.callTimeoutMs = s.callTimeoutMs;
    }
    if (s.queue !== undefined) {
      if (typeof s.queue !== 'string' || !QUEUE.test(s.queue))
        specError(file, key, `"queue" must be a queue name matching ${QUEUE}`);
      spec.queue = s.queue;
    }
    return spec;
  });
}

export function readMcpConfig(file: string): McpServerSpec[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      'mcp_config_not_found',
      `cannot read MCP config ${file}: ${(error as Error).message}`,
    );
  }
  return parseMcpConfig(text, file);
}

/** How a server is named in messages: its prefix and its command line or URL. */
export function describeSpec(spec: McpServerSpec): string {
  const what = spec.url ?? [spec.command, ...(spec.args ?? [])].join(' ');
  return spec.name ? `${spec.name}=${what}` : what;
}
