/**
 * The environment every borg child gets. Secrets from our own environment never pass through: they
 * would override the keyring, and a child's environment is readable by other processes of the user.
 */
export const SCRUBBED = ['BORG_PASSPHRASE', 'BORG_PASSCOMMAND', 'BORG_PASSPHRASE_FD', 'BORG_NEW_PASSPHRASE', 'BORG_RSH', 'BORG_REPO'];

export const PASSPHRASE_FD = 3;

/** A passcommand is run by Dandelion itself (secrets/passcommand.ts) and arrives here as a passphrase. */
/** `passcommand`: the profile's command the passphrase came from, so a wrong one names it as the thing to fix. */
export type Secret = { kind: 'passphrase'; value: string; passcommand?: string } | { kind: 'none' };

export function scrubbedEnv(base: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !SCRUBBED.includes(k)) env[k] = v;
  return env;
}

export function borgEnv(
  base: NodeJS.ProcessEnv,
  opts: { secret: Secret; rsh?: string; extraEnv?: Record<string, string> },
): Record<string, string> {
  const env = scrubbedEnv(base);
  // File names are UTF-8 on both platforms; C.UTF-8 is always there on Linux, en_US.UTF-8 on macOS.
  const utf8 = process.platform === 'darwin' ? 'en_US.UTF-8' : 'C.UTF-8';
  delete env.LC_ALL;
  Object.assign(env, {
    LANG: utf8,
    LC_CTYPE: utf8,
    BORG_EXIT_CODES: 'modern',
    BORG_DISPLAY_PASSPHRASE: 'no',
    // Never block on a question nobody can answer; the "yes" ones are about repositories the user configured.
    BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
    BORG_CHECK_I_KNOW_WHAT_I_AM_DOING: 'NO',
    BORG_DELETE_I_KNOW_WHAT_I_AM_DOING: 'NO',
  });
  if (opts.secret.kind === 'passphrase') env.BORG_PASSPHRASE_FD = String(PASSPHRASE_FD);
  if (opts.secret.kind === 'none') env.BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK = 'yes';
  if (opts.rsh) env.BORG_RSH = opts.rsh;
  Object.assign(env, opts.extraEnv);
  return env;
}
