/** Where a repository lives: on this machine, or behind ssh. */

export interface SshTarget {
  user?: string;
  host: string;
  port: number;
}

/** Parses `ssh://user@host:port/path` and scp-style `user@host:path`; null for local repositories. */
export function sshTarget(repository: string): SshTarget | null {
  const url = /^ssh:\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?(?:\/|$)/.exec(repository);
  const scp = url ? null : /^(?:([^@/:]+)@)?(\[[^\]]+\]|[^:/[\]]+):(?!\/\/)/.exec(repository);
  const m = url ?? scp;
  if (!m || /^(file|[a-z]):/i.test(repository)) return null;
  const host = (m[2] ?? '').replace(/^\[|\]$/g, '');
  return { ...(m[1] ? { user: m[1] } : {}), host, port: url && m[3] ? Number(m[3]) : 22 };
}

export function isRemote(repository: string): boolean {
  return sshTarget(repository) !== null;
}
