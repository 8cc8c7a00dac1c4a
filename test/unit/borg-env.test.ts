import { describe, expect, it } from 'vitest';
import { borgEnv, scrubbedEnv } from '../../src/borg/env.js';

const parent = {
  PATH: '/usr/bin',
  HOME: '/Users/me',
  LC_ALL: 'C',
  BORG_PASSPHRASE: 'from-the-parent',
  BORG_PASSCOMMAND: 'pass show borg',
  BORG_NEW_PASSPHRASE: 'x',
  BORG_RSH: 'ssh -i other',
  BORG_REPO: '/elsewhere',
  BORG_BASE_DIR: '/Users/me/.borg-base',
};

describe('the environment of a borg child', () => {
  it('never passes secrets or repository overrides through from our own environment', () => {
    const env = scrubbedEnv(parent);
    for (const k of ['BORG_PASSPHRASE', 'BORG_PASSCOMMAND', 'BORG_NEW_PASSPHRASE', 'BORG_RSH', 'BORG_REPO'])
      expect(env).not.toHaveProperty(k);
    expect(env.BORG_BASE_DIR).toBe('/Users/me/.borg-base');
  });

  it('points borg at fd 3 for a keyring passphrase, and the value is nowhere in it', () => {
    const env = borgEnv(parent, { secret: { kind: 'passphrase', value: 'hunter2-long-secret' } });
    expect(env.BORG_PASSPHRASE_FD).toBe('3');
    expect(JSON.stringify(env)).not.toContain('hunter2-long-secret');
    expect(env).toMatchObject({ BORG_EXIT_CODES: 'modern', BORG_DISPLAY_PASSPHRASE: 'no' });
    expect(env.LC_ALL).toBeUndefined();
    expect(env.LC_CTYPE).toMatch(/UTF-8/);
  });

  it('sets no passphrase variable for an unencrypted repository (a passcommand arrives as a passphrase on the pipe)', () => {
    const none = borgEnv(parent, { secret: { kind: 'none' }, rsh: 'ssh -o BatchMode=yes' });
    expect(none.BORG_PASSPHRASE_FD).toBeUndefined();
    expect(none.BORG_PASSCOMMAND).toBeUndefined();
    expect(none.BORG_RSH).toBe('ssh -o BatchMode=yes');
  });
});
