/** Where a repository lives: on this machine, or behind ssh. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SshTarget {
  user?: string;
  host: string;
  port: number;
}

/** Parses `ssh://user@host:port/path` and scp-style `user@host:path`; null for local repositories. */
export function sshTarget(repository: string): SshTarget | null {
  const loc = parseLocation(repository);
  if (loc.kind === 'local') return null;
  return { ...(loc.user ? { user: loc.user } : {}), host: loc.host, port: loc.port };
}

export function isRemote(repository: string): boolean {
  return sshTarget(repository) !== null;
}

/**
 * A repository location taken apart the way borg 1.2 reads it (`borg help repo-urls`): an ssh://
 * URL, the scp-style short form `user@host:path`, a `file://` URL, or a local path.
 */
export type ParsedLocation =
  { kind: 'local'; path: string } | { kind: 'ssh'; user?: string; host: string; port: number; path: string; scp: boolean };

const SSH_URL = /^ssh:\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?(\/.*)?$/s;
const SCP = /^(?:([^@/:]+)@)?(\[[^\]]+\]|[^:/[\]]+):(?!\/\/)(.*)$/s;

export function parseLocation(repository: string): ParsedLocation {
  const url = SSH_URL.exec(repository);
  if (url) return ssh(url[1], url[2]!, url[3] ? Number(url[3]) : 22, url[4] ?? '', false);
  if (/^file:\/\//i.test(repository)) return { kind: 'local', path: repository.slice('file://'.length) };
  // `c:` is a Windows drive and `file:` a URL, not hosts.
  const scp = /^(file|[a-z]):/i.test(repository) ? null : SCP.exec(repository);
  if (scp) return ssh(scp[1], scp[2]!, 22, scp[3]!, true);
  return { kind: 'local', path: repository };
}

function ssh(user: string | undefined, host: string, port: number, p: string, scp: boolean): ParsedLocation {
  return { kind: 'ssh', ...(user ? { user } : {}), host: host.replace(/^\[|\]$/g, ''), port, path: p, scp };
}

function expandTilde(p: string): string {
  if (p === '~') return os.homedir();
  if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
  return p;
}

/**
 * The path part of an ssh location in borg's URL form. borg serve reads `/~/x` (and `~/x`) as x in
 * the home folder, `/~user/x` in user's home, `/./x` relative to its working directory, anything
 * else as absolute; an scp-style path without a leading slash is relative to the working directory,
 * i.e. `/./x`. Beyond that the path is normalised as borg's own normpath does (`.`, `//`, trailing
 * `/`). `/~/x` and `/./x` stay distinct: borg documents them as different places, even though the
 * working directory of an ssh session is usually the home folder.
 */
function remotePath(p: string, scp: boolean): string {
  let prefix = '/';
  let rest = p;
  if (scp && rest.startsWith('~')) rest = `/${rest}`;
  else if (scp && !rest.startsWith('/')) rest = `/./${rest}`;
  const special = /^\/(~[^/]*|\.)(?:\/|$)/.exec(rest);
  if (special) {
    prefix = `/${special[1]!}`;
    rest = rest.slice(special[0].length);
  }
  const normal = rest ? path.posix.normalize(rest).replace(/\/+$/, '') : '';
  if (!special) return normal.startsWith('/') ? normal || '/' : `/${normal}`;
  return normal && normal !== '.' ? `${prefix}/${normal.replace(/^\/+/, '')}` : prefix;
}

/**
 * The same repository always gets the same string, without touching the filesystem: `~` expanded,
 * a relative local path made absolute (against the working directory, as borg does), `.` segments
 * and trailing slashes gone; ssh as `ssh://[user@]host:port/path` with port 22 written out, the host
 * in lower case, and scp-style paths turned into the URL form with the same meaning. Symlinks are
 * not followed: that is canonicalRepository's job. Config validation compares this form.
 */
export function lexicalRepository(repository: string): string {
  const loc = parseLocation(repository.trim());
  if (loc.kind === 'local') return path.resolve(expandTilde(loc.path));
  const host = loc.host.toLowerCase();
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return `ssh://${loc.user ? `${loc.user}@` : ''}${hostPart}:${loc.port}${remotePath(loc.path, loc.scp)}`;
}

/**
 * The one name of a repository, whatever way it was spelt: lexicalRepository, and for a local
 * repository the real path (the deepest folder that exists has its symlinks resolved; the part
 * not created yet is appended as written). Keys the cross-process repository lock and the keyring
 * account. borg itself still gets the location as the user typed it.
 */
export function canonicalRepository(repository: string): string {
  const lexical = lexicalRepository(repository);
  if (lexical.startsWith('ssh://')) return lexical;
  const missing: string[] = [];
  for (let dir = lexical; ;) {
    try {
      return path.join(fs.realpathSync.native(dir), ...missing);
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return lexical;
      missing.unshift(path.basename(dir));
      dir = parent;
    }
  }
}
