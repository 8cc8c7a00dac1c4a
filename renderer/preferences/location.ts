/**
 * The repository as the window edits it: a local folder, or an SSH server taken apart into user,
 * host, port and path and put back together as `ssh://user@host:port/path` (borg 1.2's URL form).
 * Reads scp-style `user@host:path` too, the way borg does. Pure, with no Node: it runs in the page.
 */
export interface SshParts {
  user: string;
  host: string;
  /** As typed; empty means 22. */
  port: string;
  /** On the server: `backup/mac` (in the login's home folder), `~/backup` or `/srv/backup`. */
  path: string;
}

export type RepositoryParts = { kind: 'local'; path: string } | ({ kind: 'ssh' } & SshParts);

const SSH_URL = /^ssh:\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/]+)(?::(\d*))?(\/.*)?$/s;
const SCP = /^(?:([^@/:]+)@)?(\[[^\]]+\]|[^:/[\]]+):(?!\/\/)(.*)$/s;

/** The path part of a URL as the user would type it: `/./x` is x in the home folder, `/~/x` is ~/x. */
function friendlyPath(p: string): string {
  if (p.startsWith('/./')) return p.slice(3);
  if (p === '/.') return '';
  if (p.startsWith('/~')) return p.slice(1);
  return p;
}

export function parseRepository(repository: string): RepositoryParts {
  const r = repository.trim();
  const url = SSH_URL.exec(r);
  if (url) {
    const port = url[3] && url[3] !== '22' ? url[3] : '';
    return { kind: 'ssh', user: url[1] ?? '', host: url[2]!.replace(/^\[|\]$/g, ''), port, path: friendlyPath(url[4] ?? '') };
  }
  const scp = /^(file|[a-z]):/i.test(r) ? null : SCP.exec(r);
  if (scp) return { kind: 'ssh', user: scp[1] ?? '', host: scp[2]!.replace(/^\[|\]$/g, ''), port: '', path: scp[3]! };
  return { kind: 'local', path: r.replace(/^file:\/\//i, '') };
}

/** The port as a number (22 when empty), or null when it is not 1–65535. */
export function sshPort(port: string): number | null {
  const t = port.trim();
  if (t === '') return 22;
  if (!/^\d{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 65535 ? n : null;
}

export function buildSshUrl(p: SshParts): string {
  const host = p.host.trim();
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const user = p.user.trim();
  const port = sshPort(p.port);
  const portPart = port === null ? `:${p.port.trim()}` : port === 22 ? '' : `:${port}`;
  let path = p.path.trim();
  if (path.startsWith('~')) path = `/${path}`;
  else if (!path.startsWith('/')) path = `/./${path}`;
  return `ssh://${user ? `${user}@` : ''}${hostPart}${portPart}${path}`;
}

const HOST = /^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*|[A-Za-z0-9_][A-Za-z0-9._-]*)$/;

/** What is wrong with the parts, field by field (`host`, `port`, `user`, `path`); empty when they make a location. */
export function sshErrors(p: SshParts): { field: 'user' | 'host' | 'port' | 'path'; message: string }[] {
  const errors: { field: 'user' | 'host' | 'port' | 'path'; message: string }[] = [];
  if (/[\s@:/]/.test(p.user.trim())) errors.push({ field: 'user', message: 'A user name has no spaces, "@", ":" or "/".' });
  const host = p.host.trim();
  if (!host) errors.push({ field: 'host', message: 'Enter the server’s name or address.' });
  else if (!HOST.test(host) || host.length > 255) errors.push({ field: 'host', message: `"${host}" is not a server name or address.` });
  if (sshPort(p.port) === null) errors.push({ field: 'port', message: 'The port is a number from 1 to 65535 (SSH uses 22).' });
  if (!p.path.trim()) errors.push({ field: 'path', message: 'Enter the folder on the server, e.g. backup/my-mac.' });
  return errors;
}

/** Host and port as `hostKey` / `trustHostKey` take them; null while the parts are not valid. */
export function hostAndPort(p: SshParts): { host: string; port: number } | null {
  const port = sshPort(p.port);
  const host = p.host.trim().replace(/^\[|\]$/g, '');
  if (port === null || !host || !HOST.test(p.host.trim())) return null;
  return { host, port };
}

/** The last folder of a path, for a name ("/Volumes/backup-disk/mac" → "mac"). */
export function baseName(p: string): string {
  const parts = p.replace(/\/+$/, '').split('/');
  return parts[parts.length - 1] ?? '';
}

/** A path as short as a person reads it: the home folder as "~". */
export function tildify(p: string, home: string): string {
  if (!home || home === '/') return p;
  const h = home.replace(/\/+$/, '');
  if (p === h) return '~';
  return p.startsWith(`${h}/`) ? `~${p.slice(h.length)}` : p;
}

/** The child folder `name` of a local folder (string joining, no Node in the page). */
export function joinPath(dir: string, name: string): string {
  return `${dir.replace(/\/+$/, '')}/${name}`;
}

/** A repository in a few words, for a list: the server for SSH, the last two folders of a local path. */
export function shortLocation(repository: string, home: string): string {
  const parts = parseRepository(repository);
  if (parts.kind === 'ssh') return parts.host;
  const p = tildify(parts.path.replace(/\/+$/, ''), home);
  const segments = p.split('/').filter(Boolean);
  return segments.length <= 2 ? p : segments.slice(-2).join('/');
}
