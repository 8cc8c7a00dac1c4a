import { describe, expect, it } from 'vitest';
import { runPasscommand, splitCommand } from '../../src/secrets/passcommand.js';

describe('splitCommand', () => {
  it.each([
    ['pass show borg/offsite', ['pass', 'show', 'borg/offsite']],
    [`security find-generic-password -a 'my repo' -w`, ['security', 'find-generic-password', '-a', 'my repo', '-w']],
    ['printf "%s" "a \\"quoted\\" word"', ['printf', '%s', 'a "quoted" word']],
    ['echo a\\ b  c', ['echo', 'a b', 'c']],
    [`echo '' x`, ['echo', '', 'x']],
    ['echo $HOME; rm -rf /', ['echo', '$HOME;', 'rm', '-rf', '/']],
  ])('splits %s like a POSIX shell would, expanding nothing', (cmd, words) => {
    expect(splitCommand(cmd)).toEqual(words);
  });

  it('refuses an unclosed quote', () => {
    expect(() => splitCommand(`echo 'oops`)).toThrow(/unclosed/);
  });
});

describe('runPasscommand', () => {
  it('returns what the command prints, without the trailing newline', async () => {
    expect(await runPasscommand(`printf 'secret with spaces\\n'`)).toEqual({ ok: true, passphrase: 'secret with spaces' });
  });

  it('ends a command that never answers, within its time limit, and says so', async () => {
    const t0 = Date.now();
    const r = await runPasscommand('sleep 1000', { timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r).toEqual({ ok: false, reason: 'it gave no answer within 300 ms' });
  });

  it('says why when it fails, prints nothing, or cannot start', async () => {
    expect(await runPasscommand(`sh -c 'echo locked >&2; exit 3'`)).toEqual({ ok: false, reason: 'it failed (exit 3): locked' });
    expect(await runPasscommand('true')).toEqual({ ok: false, reason: 'it printed nothing' });
    const missing = await runPasscommand('/nonexistent/helper');
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.reason).toMatch(/could not be started/);
  });

  it('does not pass a BORG_PASSPHRASE of its own environment on', async () => {
    const r = await runPasscommand(`sh -c 'printf "%s" "\${BORG_PASSPHRASE:-unset}"'`, {
      env: { ...process.env, BORG_PASSPHRASE: 'leak' },
    });
    expect(r).toEqual({ ok: true, passphrase: 'unset' });
  });
});
