/**
 * The profiles a shell script's borg calls make: one per `borg create` whose repository and sources
 * are known, with the prune, check and compact of the same repository (and archives), fitted to the
 * schema; and the report, each line with its profile.
 */
import type { ImportContext } from './context.js';
import type { FoundSecret, ImportedProfile, ImportResult, ReportItem, SourceRef } from './model.js';
import { lexicalRepository } from '../borg/location.js';
import { archiveGlob } from '../borg/argv.js';
import { archiveNameFor, globsOverlap, parseConfig, type PruneRules } from '../profiles/schema.js';
import { excludeProblems } from '../profiles/patterns.js';
import { repositoryLabel, slugId, uniqueId } from './ids.js';

export type Kind = ReportItem['kind'];

export interface Pending {
  kind: Kind;
  message: string;
  at: SourceRef | null;
}

export interface CreateCall {
  at: SourceRef;
  repository: string | null;
  archiveName: string | null;
  sources: string[];
  excludes: string[];
  compression: string | null;
  oneFileSystem: boolean;
  excludeCaches: boolean;
  sshKey: string | null;
  passcommand: string | null;
  passphrase: { value: string; at: SourceRef } | null;
  borgPath: string | null;
  items: Pending[];
}

export interface SideCall {
  kind: 'prune' | 'check' | 'compact';
  at: SourceRef;
  repository: string | null;
  /** The archive glob it was limited to (`--prefix P` → `P*`), or null for every archive. */
  filter: string | null;
  filterWritten: string | null;
  rules: PruneRules;
  ruleWords: string[];
  verifyData: boolean;
  items: Pending[];
}

/** What walking a script found. */
export interface ShellCalls {
  creates: CreateCall[];
  sides: SideCall[];
  /** Report lines that concern no one profile (hooks, loops, a passphrase to remove). */
  general: Pending[];
  files: string[];
  file: string;
  ctx: ImportContext;
}

const PER_RUN = /\{(now|utcnow|uuid4)(:[^}]*)?\}/;

/** Profiles from the create calls, with the prune/check/compact of the same repository. */
export function profilesFromCalls(calls: ShellCalls): ImportResult {
  const file = calls.file;
  const profiles: ImportedProfile[] = [];
  const secrets: FoundSecret[] = [];
  const report: ReportItem[] = [];
  const taken = new Set<string>();
  const said = new Set<string>();
  const push = (p: Pending, profile: string | null): void => {
    // Every borg call reads the same BORG_RSH: say what it gives once.
    const key = JSON.stringify([p.kind, profile, p.message, p.at]);
    if (said.has(key)) return;
    said.add(key);
    report.push({ kind: p.kind, profile, message: p.message, at: p.at });
  };
  for (const p of calls.general) push(p, null);

  const usable = calls.creates.filter((c) => {
    if (c.repository !== null && c.sources.length) return true;
    for (const p of c.items) push(p, null);
    push(
      {
        kind: 'dropped',
        message: `This borg create cannot become a profile: ${c.repository === null ? 'its repository is not known' : 'it names no folder to back up'}.`,
        at: c.at,
      },
      null,
    );
    return false;
  });
  const ids = usable.map((c) => uniqueId(slugId(repositoryLabel(c.repository!)), taken));
  const sideUsed = new Set<SideCall>();

  usable.forEach((c, index) => {
    const id = ids[index]!;
    const repository = c.repository!;
    const items: Pending[] = [...c.items];
    const overlapsAnother = (name: string): boolean =>
      profiles.some((p) => sameRepository(p.repository, repository) && globsOverlap(archiveGlob(p.archiveName ?? ''), archiveGlob(name)));
    let archiveName = c.archiveName ?? '';
    if (!archiveName) {
      archiveName = archiveNameFor(id);
      items.push({
        kind: 'note',
        message: `The script's archive name is not known; the profile names its archives "${archiveName}", so Dandelion's prune leaves the script's old archives alone.`,
        at: c.at,
      });
    } else if (archiveName.includes('/')) {
      archiveName = archiveNameFor(id);
      items.push({
        kind: 'dropped',
        message: `The archive name holds a "/", which Dandelion does not allow; the profile names its archives "${archiveName}", and prune leaves the old ones alone.`,
        at: c.at,
      });
    } else if (!PER_RUN.test(archiveName)) {
      const old = archiveName;
      archiveName = `${old}-{now}`;
      items.push({
        kind: 'note',
        message: `The archive name "${old}" has no {now}, so a second backup would fail; the profile uses "${archiveName}". Prune leaves the old archive "${old}" alone.`,
        at: c.at,
      });
    } else if (overlapsAnother(archiveName)) {
      // Two creates writing alike names into one repository would prune each other's archives.
      const old = archiveName;
      archiveName = [archiveNameFor(id), `${id}-{hostname}_{now}`, `${id}_{now}`].find((n) => !overlapsAnother(n)) ?? archiveNameFor(id);
      items.push({
        kind: 'note',
        message: `Another borg create of the script writes archives named like "${old}" into the same repository; this profile names its archives "${archiveName}" so the two never prune each other's.`,
        at: c.at,
      });
    } else {
      items.push({
        kind: 'note',
        message: `Archives keep the script's name "${archiveName}", so Dandelion's prune goes on acting on the archives the script made (those matching "${archiveGlob(archiveName)}").`,
        at: c.at,
      });
    }
    const glob = archiveGlob(archiveName);
    const mine = calls.sides.filter(
      (s) => s.repository !== null && sameRepository(s.repository, repository) && (s.filter === null || globsOverlap(s.filter, glob)),
    );
    // A prune limited to other archives than this create's: say so on the prune itself.
    const prunes = mine.filter((s) => s.kind === 'prune');
    const checks = mine.filter((s) => s.kind === 'check');
    const compact = mine.find((s) => s.kind === 'compact');
    if (compact)
      items.push({ kind: 'carried', message: 'borg compact: Dandelion compacts the repository after every prune too.', at: compact.at });
    for (const s of mine) {
      sideUsed.add(s);
      items.push(...s.items);
    }
    const prune = prunes[0];
    let rules: PruneRules | null = null;
    if (prune) {
      const kept = Object.values(prune.rules).some((v) => v !== undefined && v !== 0);
      if (kept) {
        rules = prune.rules;
        items.push({ kind: 'carried', message: `Prune keeps ${prune.ruleWords.join(', ')}, as the script did.`, at: prune.at });
      } else
        items.push({
          kind: 'dropped',
          message: "The script's prune keeps nothing Dandelion can express; prune is off in the profile.",
          at: prune.at,
        });
      if (prune.filter === null) {
        items.push({
          kind: 'note',
          message: `The script's prune acted on every archive in the repository; Dandelion prunes only the archives of this profile ("${glob}"), and leaves other archives alone.`,
          at: prune.at,
        });
      } else if (prune.filter !== glob) {
        items.push({
          kind: 'note',
          message: `The script's prune was limited by ${prune.filterWritten!} ("${prune.filter}"); Dandelion prunes the archives named like "${glob}", which is what its create writes.`,
          at: prune.at,
        });
      }
      for (const extra of prunes.slice(1)) {
        items.push({
          kind: 'dropped',
          message: "A second prune of the same archives is left out; the first one's rules are used.",
          at: extra.at,
        });
      }
    } else {
      items.push({
        kind: 'note',
        message: 'The script does not prune this repository, so neither does the profile (prune is off).',
        at: c.at,
      });
    }
    let check: { everyDays: number; verifyData?: boolean } | undefined;
    if (checks.length) {
      const verifyData = checks.some((s) => s.verifyData);
      check = { everyDays: 30, ...(verifyData ? { verifyData } : {}) };
      items.push({
        kind: 'note',
        message: `The script runs borg check${verifyData ? ' --verify-data' : ''}; how often is not known from the script, so Dandelion checks every 30 days after a backup (change it in the profile).`,
        at: checks[0]!.at,
      });
    }

    const profile: ImportedProfile = {
      id,
      name: repositoryLabel(repository),
      repository,
      ...(c.sshKey ? { sshKey: c.sshKey } : {}),
      ...(c.passcommand ? { passcommand: c.passcommand } : {}),
      sources: c.sources,
      excludes: c.excludes,
      archiveName,
      compression: c.compression ?? 'lz4',
      oneFileSystem: c.oneFileSystem,
      excludeCaches: c.excludeCaches,
      prune: rules,
      ...(check ? { check } : {}),
      ...(c.borgPath ? { borgPath: c.borgPath } : {}),
    };
    fitExcludes(calls.ctx.home, profile, items, c.at);
    fitSchema(profile, items, c.at);
    profiles.push(profile);
    if (c.passphrase) secrets.push({ profile: id, passphrase: c.passphrase.value, at: c.passphrase.at });
    for (const p of items) push(p, id);
  });

  for (const s of calls.sides) {
    if (sideUsed.has(s)) continue;
    for (const p of s.items) push(p, null);
    const why =
      s.repository === null
        ? 'its repository is not known'
        : usable.some((c) => sameRepository(c.repository!, s.repository!))
          ? `it is limited to ${s.filterWritten ?? 'other archives'} ("${s.filter ?? '*'}"), which matches none of the archives the script's borg create makes`
          : 'the script makes no backup into that repository';
    push({ kind: 'dropped', message: `This borg ${s.kind} is not carried over: ${why}.`, at: s.at }, null);
  }
  return { format: 'shell', files: [...new Set(calls.files.length ? calls.files : [file])], profiles, secrets, oldJobs: [], report };
}

/**
 * An exclude that covers a whole source means the script saved nothing from it: the source goes,
 * not the exclude (keeping the exclude would start backing up what the user kept out). A pattern
 * borg would refuse goes.
 */
function fitExcludes(home: string, profile: ImportedProfile, items: Pending[], at: SourceRef): void {
  const excludes = profile.excludes ?? [];
  profile.excludes = excludes.filter((pattern) => {
    const problem = excludeProblems([pattern], [], home)[0];
    if (problem) items.push({ kind: 'dropped', message: `The exclude ${problem.message}; left out.`, at });
    return !problem;
  });
  profile.sources = profile.sources.filter((source) => {
    const covering = profile.excludes!.find((pattern) => excludeProblems([pattern], [source], home).length);
    if (covering === undefined) return true;
    items.push({
      kind: 'dropped',
      message: `${source} is left out of the sources: the script's exclude "${covering}" kept all of it out of the backup.`,
      at,
    });
    return false;
  });
}

/** What the schema still refuses becomes a thing to fix before saving. */
function fitSchema(profile: ImportedProfile, items: Pending[], at: SourceRef): void {
  for (let attempt = 0; attempt < 20; attempt++) {
    const r = parseConfig({ profiles: [profile] });
    if (r.ok) return;
    const bad = r.errors.map((e) => ({ ...e, index: /^profiles\[0\]\.excludes\[(\d+)\]$/.exec(e.path) })).find((e) => e.index);
    if (bad && profile.excludes) {
      const [pattern] = profile.excludes.splice(Number(bad.index![1]), 1);
      items.push({ kind: 'dropped', message: `The exclude "${pattern!}" is left out: ${bad.message}.`, at });
      continue;
    }
    for (const e of r.errors) {
      items.push({
        kind: 'todo',
        message: `Fix before saving: ${e.path.replace(/^profiles\[0\]\.?/, '') || 'profile'} ${e.message}.`,
        at,
      });
    }
    return;
  }
}

function sameRepository(a: string, b: string): boolean {
  return lexicalRepository(a) === lexicalRepository(b);
}
