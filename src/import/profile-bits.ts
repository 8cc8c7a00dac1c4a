/**
 * Pieces the borgmatic and Vorta readers share: the report as it is written, profile ids, an ssh
 * port moved into the repository URL, excludes checked the way the schema will check them, and the
 * host of a monitoring URL (the only part of it a report may show). Pure.
 */
import { parseLocation } from '../borg/location.js';
import { compileExclude, coversSource, expandPatternHome } from '../profiles/patterns.js';
import type { ReportItem, SourceRef } from './model.js';

/** The report of one file, written as the reader goes. */
export class Report {
  readonly items: ReportItem[] = [];
  constructor(readonly file: string) {}

  at(line: number | null | undefined): SourceRef {
    return { file: this.file, line: line ?? null };
  }

  add(kind: ReportItem['kind'], profile: string | null, message: string, line?: number | null): void {
    this.items.push({ kind, profile, message, at: line === undefined ? null : this.at(line) });
  }
  carried(profile: string | null, message: string, line?: number | null): void {
    this.add('carried', profile, message, line);
  }
  dropped(profile: string | null, message: string, line?: number | null): void {
    this.add('dropped', profile, message, line);
  }
  todo(profile: string | null, message: string, line?: number | null): void {
    this.add('todo', profile, message, line);
  }
  note(profile: string | null, message: string, line?: number | null): void {
    this.add('note', profile, message, line);
  }
}

export { slugId, uniqueId } from '../profile-ids.js';
import { slugId } from '../profile-ids.js';

const COMMON_HOST_WORDS = new Set(['www', 'repo', 'backup', 'backups', 'borg', 'ssh']);

/**
 * An id for a profile from where its repository is: the name of the server (`your-storagebox` of
 * `u123.your-storagebox.de`, `borgbase` of `x.repo.borgbase.com`, `nas` of `nas.local`) or, for a
 * local repository, the disk it is on (`/Volumes/NAME/…`, `/media/USER/NAME/…`) or its folder name.
 */
export function repositoryId(repository: string): string {
  const loc = parseLocation(repository);
  if (loc.kind === 'ssh') {
    const host = loc.host.toLowerCase();
    if (/^[\d.]+$/.test(host) || host.includes(':')) return slugId(host);
    const labels = host.split('.').filter((l) => l && !COMMON_HOST_WORDS.has(l));
    if (labels.length >= 3 || (labels.length === 2 && labels[1]!.length <= 3 && labels[1] !== 'lan')) labels.pop();
    if (labels.length > 1 && ['local', 'lan', 'home', 'internal'].includes(labels[labels.length - 1]!)) labels.pop();
    return slugId(labels[labels.length - 1] ?? host);
  }
  const parts = loc.path.split('/').filter((p) => p && p !== '.' && p !== '~');
  const volume = /^\/(?:Volumes|mnt|media\/[^/]+|run\/media\/[^/]+)\/([^/]+)/.exec(loc.path);
  return slugId(volume?.[1] ?? parts[parts.length - 1] ?? 'local');
}

/**
 * The repository with an ssh port written into it (borg has no other place for one): scp-style
 * `user@host:path` becomes `ssh://user@host:PORT/…` with the same meaning (`~/x` → `/~/x`, a
 * relative path → `/./x`). Local repositories come back unchanged; so does one that names a port
 * already (the caller reports the conflict).
 */
export function withSshPort(repository: string, port: number): string {
  const loc = parseLocation(repository);
  if (loc.kind !== 'ssh') return repository;
  const host = loc.host.includes(':') ? `[${loc.host}]` : loc.host;
  const user = loc.user ? `${loc.user}@` : '';
  if (!loc.scp) {
    if (/^ssh:\/\/[^/]*:\d+(\/|$)/.test(repository)) return repository;
    return `ssh://${user}${host}:${port}${loc.path}`;
  }
  const p = loc.path;
  const path = p.startsWith('/') ? p : p.startsWith('~') ? `/${p}` : `/./${p}`;
  return `ssh://${user}${host}:${port}${path}`;
}

/** The port a repository names itself, or null (scp-style never does). */
export function portOf(repository: string): number | null {
  const m = /^ssh:\/\/[^/]*?:(\d+)(\/|$)/.exec(repository);
  return m ? Number(m[1]) : null;
}

/** Only the host of a monitoring URL: the rest (a check's UUID, a topic) is as good as a password. */
export function urlHost(url: string): string {
  try {
    return new URL(url).host || 'an unreadable address';
  } catch {
    return 'an unreadable address';
  }
}

/**
 * A command as the report may show it: a URL down to its host (a `curl` to a ping URL is a secret),
 * and the value after `…PASSWORD=`, `…PASSPHRASE=`, `…TOKEN=`, `…SECRET=` hidden.
 */
export function maskCommand(command: string): string {
  return command
    .replace(/\bhttps?:\/\/[^\s'"`]+/gi, (url) => {
      const host = urlHost(url);
      return host === 'an unreadable address' ? '…' : `${url.slice(0, url.indexOf('//') + 2)}${host}/…`;
    })
    .replace(/\b([A-Za-z_]*(?:PASS(?:WORD|PHRASE)?|TOKEN|SECRET)[A-Za-z_]*)=("[^"]*"|'[^']*'|\S+)/gi, '$1=…');
}

export function isHttpUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export interface FoundPattern {
  pattern: string;
  line: number | null;
}

/**
 * Excludes the schema will accept: a pattern borg would refuse, or one that leaves out all of a
 * source, is handed back with why, so the profile still saves and the report says what was left out.
 */
export function vetExcludes(
  patterns: readonly FoundPattern[],
  sources: readonly string[],
  home: string,
): { kept: FoundPattern[]; refused: (FoundPattern & { why: string })[] } {
  const kept: FoundPattern[] = [];
  const refused: (FoundPattern & { why: string })[] = [];
  for (const found of patterns) {
    const compiled = compileExclude(expandPatternHome(found.pattern, home));
    if (!compiled.ok) {
      refused.push({ ...found, why: `borg would refuse it: it ${compiled.error}` });
      continue;
    }
    const covered = sources.find((s) => coversSource(compiled.match, expandPatternHome(s, home)));
    if (covered !== undefined) {
      refused.push({ ...found, why: `it leaves out all of ${covered}, so the backup would save nothing from it` });
      continue;
    }
    if (!kept.some((k) => k.pattern === found.pattern)) kept.push(found);
  }
  return { kept, refused };
}

/** A plural that reads right: "1 day", "3 days". */
export function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
