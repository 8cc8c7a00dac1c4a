/**
 * TEMPORARY — a stand-in for part "import-shell"'s reader, so that `applyImport`, `dandelion import`
 * and the setup window can be built and tested end to end before the real reader is merged. It reads
 * only the simplest seed-style script:
 *
 *   export BORG_REPO=/path/to/repo
 *   export BORG_PASSPHRASE='…'
 *   borg create … ::'{hostname}-{now}' ~/Documents --exclude '…'
 *   borg prune --keep-daily 7 --keep-weekly 4
 *
 * The real src/import/read.ts replaces this file at merge (same entry point: `readImport`); nothing
 * else may depend on what only this one does. It never runs the script: the text is split into
 * words (single and double quotes, backslashes), nothing more.
 */
import path from 'node:path';
import type { ImportContext } from './context.js';
import type { ImportedProfile, ImportResult, ReportItem } from './model.js';

/** Shell words of one line: quotes and backslashes honoured, no expansion, `#` starts a comment. */
function words(line: string): string[] {
  const out: string[] = [];
  let cur: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      cur = (cur ?? '') + line.slice(i + 1, end === -1 ? line.length : end);
      i = end === -1 ? line.length : end;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length) j++;
        s += line[j];
        j++;
      }
      cur = (cur ?? '') + s;
      i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      cur = (cur ?? '') + line[++i];
    } else if (c === ' ' || c === '\t') {
      if (cur !== null) out.push(cur);
      cur = null;
    } else if (c === '#' && cur === null) break;
    else cur = (cur ?? '') + c;
  }
  if (cur !== null) out.push(cur);
  return out;
}

const KEEP: Record<string, string> = {
  '--keep-within': 'keepWithin',
  '--keep-last': 'keepLast',
  '--keep-hourly': 'keepHourly',
  '--keep-daily': 'keepDaily',
  '--keep-weekly': 'keepWeekly',
  '--keep-monthly': 'keepMonthly',
  '--keep-yearly': 'keepYearly',
};

function readScript(text: string, file: string): ImportResult {
  const id =
    path
      .basename(file)
      .replace(/\.[a-z]+$/i, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'imported';
  const result: ImportResult = { format: 'shell', files: [file], profiles: [], secrets: [], oldJobs: [], report: [] };
  const report = (kind: ReportItem['kind'], message: string, line: number, profile: string | null = id) =>
    result.report.push({ kind, profile, message, at: { file, line } });
  const p: Partial<ImportedProfile> & { excludes: string[]; sources: string[] } = { id, name: id, sources: [], excludes: [] };
  let sawCreate = false;
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const w = words(raw.trim());
    if (!w.length) return;
    if (w[0] === 'export') w.shift();
    const assign = /^([A-Z_]+)=(.*)$/s.exec(w[0] ?? '');
    if (assign && w.length === 1) {
      const [, name, value] = assign;
      if (name === 'BORG_REPO') {
        p.repository = value!;
        report('carried', `repository ${value}`, line);
      } else if (name === 'BORG_PASSPHRASE') {
        result.secrets.push({ profile: id, passphrase: value!, at: { file, line } });
        report('carried', 'passphrase (goes to the Keychain, never config.json)', line);
      } else report('dropped', `${name} is not read by this reader`, line);
      return;
    }
    if (w[0] !== 'borg') {
      report('dropped', `"${w[0]}" is not a borg command: left out`, line);
      return;
    }
    const sub = w[1];
    const rest = w.slice(2);
    if (sub === 'create') {
      sawCreate = true;
      for (let i = 0; i < rest.length; i++) {
        const a = rest[i]!;
        if (a === '--exclude' || a === '-e') p.excludes.push(rest[++i] ?? '');
        else if (a.startsWith('--exclude=')) p.excludes.push(a.slice('--exclude='.length));
        else if (a === '--stats' || a === '--list' || a === '--progress' || a === '-v' || a === '--verbose') continue;
        else if (a.startsWith('-')) report('dropped', `borg create ${a} is not read by this reader`, line);
        else if (a.startsWith('::')) p.archiveName = a.slice(2);
        else if (a.includes('::')) {
          const [repo, name] = a.split('::');
          if (repo) p.repository = repo;
          p.archiveName = name;
        } else p.sources.push(a);
      }
      report(
        'carried',
        `borg create: ${p.sources.length} source(s), ${p.excludes.length} exclude(s), archive name ${p.archiveName ?? '?'}`,
        line,
      );
    } else if (sub === 'prune') {
      const prune: Record<string, string | number> = {};
      for (let i = 0; i < rest.length; i++) {
        const [flag, inline] = rest[i]!.split('=', 2) as [string, string | undefined];
        const key = KEEP[flag];
        if (!key) {
          if (flag.startsWith('-') && flag !== '--list' && flag !== '--stats')
            report('dropped', `borg prune ${flag} is not read by this reader`, line);
          continue;
        }
        const value = inline ?? rest[++i] ?? '';
        prune[key] = key === 'keepWithin' ? value : Number(value);
      }
      p.prune = prune;
      report('carried', `borg prune: ${Object.keys(prune).join(', ')}`, line);
    } else report('dropped', `borg ${sub ?? ''} is not read by this reader`, line);
  });
  if (sawCreate && p.repository) {
    p.prune ??= null;
    result.profiles.push(p as ImportedProfile);
  } else
    result.report.push({ kind: 'dropped', profile: null, message: 'no borg create with a repository was found', at: { file, line: null } });
  return result;
}

/** Reads each file (never runs it) and merges what they describe. */
export function readImport(files: string[], ctx: ImportContext): ImportResult {
  const merged: ImportResult = { format: 'shell', files: [], profiles: [], secrets: [], oldJobs: [], report: [] };
  for (const file of files) {
    const text = ctx.readFile(file);
    merged.files.push(file);
    if (text === null) {
      merged.report.push({ kind: 'dropped', profile: null, message: `${file} could not be read`, at: { file, line: null } });
      continue;
    }
    const r = readScript(text, file);
    merged.profiles.push(...r.profiles);
    merged.secrets.push(...r.secrets);
    merged.oldJobs.push(...r.oldJobs);
    merged.report.push(...r.report);
  }
  return merged;
}
