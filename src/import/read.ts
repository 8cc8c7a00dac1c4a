/**
 * The one entry of an import: reads each file (through ctx: nothing is run, nothing written),
 * finds out what kind it is by its content, hands it to its reader, and merges the answers into
 * one ImportResult: a plist or crontab line that runs a script gives that script's profiles their
 * schedule (the launchd and cron readers read the script themselves, so a script named on its own
 * as well is read once), profile ids are made unique, and the report is sorted by file and line.
 */
import path from 'node:path';
import type { ImportContext } from './context.js';
import { emptyImport, type ImportResult, type ReportItem } from './model.js';
import { readShellScript } from './shell.js';
import { readLaunchd } from './launchd.js';
import { looksLikeCrontab, readCrontab } from './cron.js';
import { readBorgmatic } from './borgmatic.js';
import { readVorta } from './vorta.js';
import { slugId, uniqueId } from './ids.js';
import { lexicalRepository } from '../borg/location.js';
import { parseConfig } from '../profiles/schema.js';

export type ImportKind = ImportResult['format'];

/** Keys only a borgmatic configuration has, in either layout. */
const BORGMATIC_KEYS =
  /^(location|storage|retention|consistency|hooks|source_directories|repositories|keep_[a-z]+|exclude_patterns|encryption_passphrase|encryption_passcommand|archive_name_format|checks|ssh_command|compression|before_backup|after_backup|healthchecks|ntfy)\s*:/m;

/** What kind of file a text is, by its content (the name says little: `backup`, `com.me.borg.plist`). */
export function detectKind(text: string): ImportKind {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('<?xml') || start.startsWith('<plist') || /<!DOCTYPE plist/.test(start.slice(0, 300))) return 'launchd';
  if (start.startsWith('{') || start.startsWith('[')) return 'vorta';
  if (start.startsWith('#!')) return 'shell';
  if (looksLikeCrontab(text)) return 'cron';
  if (BORGMATIC_KEYS.test(text) && !/^\s*(export\s+)?[A-Z_]+=/m.test(text)) return 'borgmatic';
  return 'shell';
}

const READERS: Record<ImportKind, (text: string, file: string, ctx: ImportContext) => ImportResult> = {
  launchd: readLaunchd,
  cron: readCrontab,
  shell: readShellScript,
  borgmatic: readBorgmatic,
  vorta: readVorta,
};

/** Jobs that run other files first, so the files they run are read with their schedule, once. */
const ORDER: Record<ImportKind, number> = { launchd: 0, cron: 1, borgmatic: 2, vorta: 2, shell: 3 };

const KIND_ORDER: Record<ReportItem['kind'], number> = { todo: 0, dropped: 1, note: 2, carried: 3 };

export function readImport(files: string[], ctx: ImportContext): ImportResult {
  const texts = files.map((file) => ({ file, text: ctx.readFile(file) }));
  const read = texts.map(({ file, text }) => ({ file, kind: text === null ? null : detectKind(text), text }));
  const results: ImportResult[] = [];
  const seen = new Set<string>();
  const unreadable: ReportItem[] = [];
  for (const entry of [...read].sort((a, b) => (a.kind === null ? 9 : ORDER[a.kind]) - (b.kind === null ? 9 : ORDER[b.kind]))) {
    if (entry.text === null || entry.kind === null) {
      unreadable.push({
        kind: 'dropped',
        profile: null,
        message: `${entry.file} could not be read.`,
        at: { file: entry.file, line: null },
      });
      continue;
    }
    if (seen.has(path.resolve(entry.file))) continue;
    const result = READERS[entry.kind](entry.text, entry.file, ctx);
    for (const f of result.files) seen.add(path.resolve(f));
    results.push(result);
  }
  const merged = mergeImports(results, files);
  merged.report.unshift(...unreadable);
  // What the schema would refuse of them together (two files' profiles on one repository with overlapping archive names).
  const together = parseConfig({ profiles: merged.profiles });
  if (!together.ok) {
    for (const e of together.errors) {
      const index = /^profiles\[(\d+)\]/.exec(e.path);
      const profile = index ? (merged.profiles[Number(index[1])]?.id ?? null) : null;
      merged.report.push({
        kind: 'todo',
        profile,
        message: `Fix before saving: ${e.path.replace(/^profiles\[\d+\]\.?/, '') || 'profile'} ${e.message}.`,
        at: null,
      });
    }
  }
  merged.report = sortReport(merged.report, files);
  return merged;
}

/** One result out of several: unique ids (secrets and report follow their profile), one copy of a backup read twice. */
export function mergeImports(results: ImportResult[], files: string[]): ImportResult {
  const merged = emptyImport(results[0]?.format ?? 'shell', files[0] ?? '');
  merged.files = [];
  const taken = new Set<string>();
  for (const r of results) {
    const rename = new Map<string, string>();
    // A backup another file already gave (a plist and a crontab running one script); within one file, the reader decides.
    const earlier = merged.profiles.slice();
    for (const p of r.profiles) {
      const twin = earlier.find(
        (q) => lexicalRepository(q.repository) === lexicalRepository(p.repository) && q.archiveName === p.archiveName,
      );
      if (twin) {
        rename.set(p.id, twin.id);
        if (p.schedule != null && twin.schedule == null) twin.schedule = p.schedule;
        if (p.volume != null && twin.volume == null) twin.volume = p.volume;
        merged.report.push({
          kind: 'note',
          profile: twin.id,
          message: `${r.files[0] ?? 'A file'} makes the same backup (same repository and archive name) as another file of this import; it is imported once.`,
          at: { file: r.files[0] ?? '', line: null },
        });
        continue;
      }
      const id = uniqueId(slugId(p.id), taken);
      rename.set(p.id, id);
      merged.profiles.push({ ...p, id });
    }
    const idOf = (id: string | null): string | null => (id === null ? null : (rename.get(id) ?? id));
    merged.secrets.push(...r.secrets.map((s) => ({ ...s, profile: idOf(s.profile)! })));
    merged.oldJobs.push(...r.oldJobs);
    merged.report.push(...r.report.map((i) => ({ ...i, profile: idOf(i.profile) })));
    for (const f of r.files) if (!merged.files.includes(f)) merged.files.push(f);
  }
  // The same secret found twice (one script read by a plist and a crontab) is stored once.
  merged.secrets = merged.secrets.filter(
    (s, i, all) => all.findIndex((t) => t.profile === s.profile && t.passphrase === s.passphrase) === i,
  );
  return merged;
}

/** By file (in the order given, then the files they led to), then line, then what matters most first. */
export function sortReport(report: ReportItem[], files: string[]): ReportItem[] {
  const fileRank = (file: string | undefined): number => {
    const i = file === undefined ? -1 : files.indexOf(file);
    return i === -1 ? files.length : i;
  };
  return report
    .map((item, index) => ({ item, index }))
    .sort((a, b) => {
      const fa = a.item.at?.file;
      const fb = b.item.at?.file;
      return (
        fileRank(fa) - fileRank(fb) ||
        (fa ?? '').localeCompare(fb ?? '') ||
        (a.item.at?.line ?? 0) - (b.item.at?.line ?? 0) ||
        KIND_ORDER[a.item.kind] - KIND_ORDER[b.item.kind] ||
        a.index - b.index
      );
    })
    .map(({ item }) => item);
}
