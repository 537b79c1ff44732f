import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  anthropicInteraction,
  createCassette,
  openaiInteraction,
} from '../../src/record/author.ts';
import { runCli } from '../support/run-cli.ts';

const TOOLS = resolve(import.meta.dirname, '../loop/support/tools-module.ts');
const BUNDLED = resolve(import.meta.dirname, '../../tools/index.ts');
const dir = mkdtempSync(join(tmpdir(), 'toolplan-chat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', OPENAI_BASE_URL: '' };

describe('toolplan chat speaks CLI', () => {
  it('on a cassette miss: says --cassette F --record, once, not createRecordingFetch', async () => {
    const cassette = join(dir, 'short.json');
    writeFileSync(
      cassette,
      JSON.stringify(createCassette([openaiInteraction({ stream: true, text: 'hello' })])),
    );
    const r = await runCli(['chat', '--tools', TOOLS, '--cassette', cassette], {
      stdin: 'hi\n/exit\n',
      env,
    });
    const all = r.stdout + r.stderr;
    expect(all).toContain(`--cassette ${cassette} --record`);
    expect(all).not.toContain('createRecordingFetch');
    expect(all.match(/has no recording/g)).toHaveLength(1);
  });

  it('an Anthropic cassette under --provider openai says to use --provider anthropic', async () => {
    const cassette = join(dir, 'anthropic.json');
    writeFileSync(
      cassette,
      JSON.stringify(createCassette([anthropicInteraction({ stream: true, text: 'hi' })])),
    );
    const r = await runCli(
      ['chat', '--tools', TOOLS, '--cassette', cassette, '--provider', 'openai'],
      {
        stdin: 'hi\n/exit\n',
        env,
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('use --provider anthropic');
  });

  it('the approval question shows an argument that follows a long one', async () => {
    const cassette = join(dir, 'approve.json');
    const plan = {
      version: 1,
      nodes: [
        {
          id: 'd',
          call: 'send_email',
          args: { body: 'r'.repeat(600), subject: 'invoice', to: 'attacker@evil.example' },
        },
      ],
      output: 'done',
      final: true,
    };
    writeFileSync(
      cassette,
      JSON.stringify(
        createCassette([
          openaiInteraction({ stream: true, toolCalls: [{ name: 'submit_plan', args: plan }] }),
          openaiInteraction({ stream: true, text: 'ok' }),
        ]),
      ),
    );
    const r = await runCli(['chat', '--tools', BUNDLED, '--cassette', cassette, '--quiet'], {
      stdin: 'mail it\na\nn\n/exit\n',
      env,
    });
    expect(r.stdout).toContain('to: "attacker@evil.example"');
    expect(r.stdout).toContain('characters folded');
    // "a" printed the whole arguments before the question came again.
    expect(r.stdout).toContain(`"body": "${'r'.repeat(600)}"`);
  });
});
