import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/runtime-errors.ts';
import { parseMcpConfig, parseMcpSpec, splitCommandLine } from '../../src/mcp/mcp-spec.ts';
import { annotationOptions, registryName } from '../../src/mcp/mcp-tool.ts';
import { untrustedText } from '../../src/mcp/untrusted-text.ts';

describe('parseMcpSpec', () => {
  it('reads a command line with quotes, and a name= prefix', () => {
    expect(parseMcpSpec(`fs=node "my server.js" --root '/tmp/a b' x\\ y`)).toEqual({
      name: 'fs',
      command: 'node',
      args: ['my server.js', '--root', '/tmp/a b', 'x y'],
    });
    expect(parseMcpSpec('node s.js')).toEqual({ command: 'node', args: ['s.js'] });
  });

  it('reads a URL, with or without a prefix', () => {
    expect(parseMcpSpec('http://127.0.0.1:3001/mcp')).toEqual({ url: 'http://127.0.0.1:3001/mcp' });
    expect(parseMcpSpec('web=https://127.0.0.1/mcp')).toEqual({
      name: 'web',
      url: 'https://127.0.0.1/mcp',
    });
  });

  it('refuses an empty spec and an unclosed quote, saying what to write', () => {
    expect(() => parseMcpSpec('fs=')).toThrow(ConfigError);
    expect(() => parseMcpSpec('node "s.js')).toThrow(/unclosed " quote/);
    expect(splitCommandLine('a "" b')).toEqual(['a', '', 'b']);
  });
});

describe('parseMcpConfig', () => {
  it('reads the mcpServers layout with toolplan options', () => {
    const specs = parseMcpConfig(
      JSON.stringify({
        mcpServers: {
          fs: { command: 'node', args: ['fs.js', '/tmp'], env: { A: '1' }, unknownArgs: 'allow' },
          web: { url: 'http://127.0.0.1:9/mcp', transport: 'sse' },
          bare: { command: 'srv', prefix: false },
        },
      }),
    );
    expect(specs).toEqual([
      {
        name: 'fs',
        command: 'node',
        args: ['fs.js', '/tmp'],
        env: { A: '1' },
        unknownArgs: 'allow',
      },
      { name: 'web', url: 'http://127.0.0.1:9/mcp', transport: 'sse' },
      { command: 'srv' },
    ]);
  });

  it('names the server and field that is wrong', () => {
    expect(() => parseMcpConfig('{"mcpServers":{"x":{"args":[]}}}', 'c.json')).toThrow(
      /c.json: server "x" needs "command"/,
    );
    expect(() => parseMcpConfig('{"mcpServers":{"x":{"command":"a","env":{"A":1}}}}')).toThrow(
      /"env"/,
    );
    expect(() => parseMcpConfig('[]')).toThrow(/mcpServers/);
    expect(() => parseMcpConfig('nope')).toThrow(/not JSON/);
  });
});

describe('MCP tool mapping', () => {
  it('makes registry names from prefixes and odd characters', () => {
    expect(registryName('fs', 'read_file')).toBe('fs.read_file');
    expect(registryName(undefined, 'get sum/2')).toBe('get_sum_2');
    expect(registryName(undefined, '9lives')).toBe('_9lives');
  });

  it('maps annotations to mutating and requires_approval', () => {
    const def = (annotations: Record<string, boolean>) => ({
      name: 't',
      inputSchema: { type: 'object' as const },
      annotations,
    });
    expect(annotationOptions(def({ readOnlyHint: true }))).toEqual({
      mutating: false,
      requires_approval: false,
    });
    expect(annotationOptions(def({ readOnlyHint: false, destructiveHint: true }))).toEqual({
      mutating: true,
      requires_approval: true,
    });
    expect(annotationOptions(def({}))).toEqual({ mutating: true, requires_approval: false });
    // readOnly wins: a read-only tool cannot be destructive.
    expect(annotationOptions(def({ readOnlyHint: true, destructiveHint: true }))).toEqual({
      mutating: false,
      requires_approval: false,
    });
  });

  it('cleans untrusted text', () => {
    expect(untrustedText('a\u001b[2Jb\nc', 100)).toBe('a [2Jb\nc');
    expect(untrustedText('x'.repeat(50), 10)).toBe(
      `${'x'.repeat(10)}… (cut, 50 characters in all)`,
    );
  });
});

describe('a server routed to a Redis queue', () => {
  it('reads name@queue= on --mcp, for commands and URLs', () => {
    expect(parseMcpSpec('fs@files=node fs.js /data')).toEqual({
      name: 'fs',
      command: 'node',
      args: ['fs.js', '/data'],
      queue: 'files',
    });
    expect(parseMcpSpec('web@q.1=http://127.0.0.1:9/mcp')).toEqual({
      name: 'web',
      url: 'http://127.0.0.1:9/mcp',
      queue: 'q.1',
    });
    // An @ later on the line is the command's, not a queue.
    expect(parseMcpSpec('npx @scope/server /d')).toEqual({
      command: 'npx',
      args: ['@scope/server', '/d'],
    });
  });

  it('refuses a bad queue name on --mcp and in a config, quoting it', () => {
    expect(() => parseMcpSpec('fs@=node fs.js')).toThrow(/queue "" must match/);
    expect(() => parseMcpSpec('fs@a:b=node fs.js')).toThrow(/queue "a:b" must match/);
    expect(parseMcpConfig('{"mcpServers":{"fs":{"command":"node","queue":"files"}}}')).toEqual([
      { name: 'fs', command: 'node', queue: 'files' },
    ]);
    expect(() =>
      parseMcpConfig('{"mcpServers":{"fs":{"command":"node","queue":"a b"}}}', 'c.json'),
    ).toThrow(/c.json: server "fs" "queue" must be a queue name/);
  });
});
