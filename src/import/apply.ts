/**
 * Taking an imported setup into use (`dandelion import --apply`, the setup window's "Import"):
 * the imported profiles are merged into config.json through the engine's compare-and-swap save (so
 * every rule of the schema applies), the passphrases found go to the keyring (never config.json),
 * and each repository is checked with real borg the way `dandelion doctor` checks a profile. Without
 * saving (`dryRun`) the same answer is built and nothing is written.
 *
 * `planImport` is the pure part: which ids, which profiles are already there, what config would be
 * saved, and what the user still has to do. `applyImport` adds the engine.
 */
import fs from 'node:fs/promises';
import type { Engine } from '../engine.js';
import { checkProfile, type Finding } from '../doctor.js';
import { archiveGlob } from '../borg/argv.js';
import { lexicalRepository } from '../borg/location.js';
import { freeId } from '../profile-ids.js';
import { parseConfig, type FieldError, type Profile } from '../profiles/schema.js';
import { configRevision, stripBom } from '../profiles/store.js';
import { keepWords, scheduleWords } from './present.js';
import type { ImportedProfile, ImportResult, OldJob, ReportItem } from './model.js';

export interface ApplyOptions {
  /** Build the answer only: nothing is saved, stored or checked. */
  dryRun?: boolean;
  /** Check each saved repository with borg (default true). */
  check?: boolean;
  /** What the keyring is called where the user reads the answer (the app's platform); default: this one's. */
  keychain?: string;
  /** The config.json revision the user saw the plan against (default: the one the engine read). */
  expectedRevision?: string;
}

/** An imported profile as it would be (or was) added, under its final id. */
export interface PlannedProfile {
  id: string;
  /** The id the reader gave it, when it had to change because the id was taken. */
  importedAs: string;
  profile: ImportedProfile;
}

/** An imported profile left out because a profile with its repository and archive names is already there. */
export interface SkippedProfile {
  importedAs: string;
  existing: string;
  repository: string;
  archiveName: string;
}

export interface ImportPlan {
  add: PlannedProfile[];
  skipped: SkippedProfile[];
  /** The reader's report (profile ids made final) and what planning adds; todos included. */
  report: ReportItem[];
  /** config.json as it would be saved: the current file with the new profiles after its own. */
  config: Record<string, unknown>;
}

export type PassphraseVerdict =
  /** The passphrase (found in the file, or already stored) opens the repository. */
  | 'opens'
  | 'wrong'
  | 'missing'
  | 'not-needed'
  /** Stored, but the repository could not be reached to try it. */
  | 'unchecked';

export interface ProfileCheck {
  /** null: not known (the check stopped before borg reached it). */
  reachable: boolean | null;
  encryption: string | null;
  passphrase: PassphraseVerdict;
  /** The doctor's findings for this profile, sentences and fixes as `dandelion doctor` prints them. */
  findings: Finding[];
}

export interface ImportedOutcome {
  id: string;
  importedAs: string;
  name: string;
  repository: string;
  sources: string[];
  excludes: string[];
  archiveName: string;
  schedule: string | null;
  volume: string | null;
  prune: Record<string, unknown> | null;
  /** `prune` and `schedule`/`volume` as a person says them ("7 daily, 4 weekly"; "only when you start it"). */
  keep: string;
  when: string;
  /** Monitoring, host only (a ping URL carries a secret). */
  monitor: { ping: string | null; ntfy: string | null } | null;
  /** A passphrase was found in the imported file (its place is in `report`, never its value). */
  passphraseFound: boolean;
  /** On apply: whether the found passphrase went to the keyring. */
  passphraseStored: boolean | null;
  check: ProfileCheck | null;
}

export interface ImportOutcome {
  dryRun: boolean;
  /** config.json was written. */
  saved: boolean;
  /** Why it was not saved: field errors of the save (each with the imported profile it concerns). */
  errors: (FieldError & { profile: string | null })[];
  /** The config.json changed meanwhile (compare-and-swap): nothing was written. */
  conflict: boolean;
  profiles: ImportedOutcome[];
  skipped: SkippedProfile[];
  report: ReportItem[];
}

// ---- the pure part ---------------------------------------------------------------------------------

const REMOVE_PASSPHRASE = 'Remove the passphrase from this line';

function keychainOf(opts: { keychain?: string }): string {
  return opts.keychain ?? (process.platform === 'darwin' ? 'the Keychain' : 'the keyring');
}

/** What identifies a profile's archives: its repository (lexically) and its archive glob. */
function archiveKey(p: { repository?: unknown; archiveName?: unknown }): string | null {
  if (typeof p.repository !== 'string' || !p.repository.trim()) return null;
  const name = typeof p.archiveName === 'string' ? p.archiveName : '{hostname}-daily-{now}';
  try {
    return `${lexicalRepository(p.repository)}\n${archiveGlob(name)}`;
  } catch {
    return null;
  }
}

/** The imported id when it is a valid one (readers make them so), or `imported`; then the next free. */
const freeImportId = (wanted: string, taken: Set<string>): string =>
  freeId(/^[a-z0-9][a-z0-9-]*$/.test(wanted) ? wanted : 'imported', taken);

/** The host of a monitoring URL: the rest (a check's uuid, a topic) is a secret. */
export function urlHost(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host || 'an unreadable address';
  } catch {
    return 'an unreadable address';
  }
}

function where(at: ReportItem['at']): string {
  return at ? (at.line === null ? at.file : `${at.file}:${at.line}`) : '';
}

function oldJobTodo(job: OldJob, profile: string | null): ReportItem {
  const what = job.kind === 'launchd' ? `the launchd job ${job.name}` : job.kind === 'cron' ? 'the cron line' : `${job.kind}'s schedule`;
  return {
    kind: 'todo',
    profile,
    message: `Stop ${what} so backups do not run twice: ${job.howToStop}`,
    at: job.at,
  };
}

/**
 * Which imported profiles to add and under which ids, against the config in force (`current`, the
 * file's JSON as written). Pure: the same input gives the same plan.
 */
export function planImport(current: Record<string, unknown>, result: ImportResult, opts: { keychain?: string } = {}): ImportPlan {
  const keychain = keychainOf(opts);
  const existing = Array.isArray(current.profiles) ? (current.profiles as Record<string, unknown>[]) : [];
  const taken = new Set(existing.map((p) => p.id).filter((id): id is string => typeof id === 'string'));
  const byKey = new Map<string, string>();
  for (const p of existing) {
    const key = archiveKey(p);
    if (key && typeof p.id === 'string') byKey.set(key, p.id);
  }
  const add: PlannedProfile[] = [];
  const skipped: SkippedProfile[] = [];
  const rename = new Map<string, string | null>();
  const notes: ReportItem[] = [];
  for (const imported of result.profiles) {
    const key = archiveKey(imported);
    const already = key ? byKey.get(key) : undefined;
    if (already !== undefined) {
      skipped.push({
        importedAs: imported.id,
        existing: already,
        repository: imported.repository,
        archiveName: imported.archiveName ?? '{hostname}-daily-{now}',
      });
      rename.set(imported.id, null);
      notes.push({
        kind: 'note',
        profile: imported.id,
        message: `Not added: profile "${already}" already backs up to ${imported.repository} with the same archive names.`,
        at: null,
      });
      continue;
    }
    const id = freeImportId(imported.id, taken);
    taken.add(id);
    if (key) byKey.set(key, id);
    rename.set(imported.id, id);
    const profile: ImportedProfile = { ...imported, id };
    if (id !== imported.id)
      notes.push({ kind: 'note', profile: id, message: `Imported as "${id}": the id "${imported.id}" is already taken.`, at: null });
    // Said once: a reader that already told about the kept archive name is not repeated.
    const name = profile.archiveName ?? '{hostname}-daily-{now}';
    const told = result.report.some((r) => r.kind === 'note' && r.profile === imported.id && r.message.includes(name));
    if (!told)
      notes.push({
        kind: 'note',
        profile: id,
        message: `Archives keep the old names (${profile.archiveName ?? '{hostname}-daily-{now}'}), so pruning goes on thinning out the archives made before.`,
        at: null,
      });
    // Backups must not stop without a word once the old job is unloaded: a profile with no trigger says so.
    if (!profile.schedule && !profile.volume)
      notes.push({
        kind: 'todo',
        profile: id,
        message: `"${profile.name ?? id}" has no schedule: the launchd job or cron line that ran it was not among the files imported. Import it together with the script, or choose when to back up in Settings; until then it backs up only when you start it.`,
        at: null,
      });
    add.push({ id, importedAs: imported.id, profile });
  }
  const finalId = (id: string | null) => (id === null ? null : rename.has(id) ? (rename.get(id) ?? id) : id);
  // A monitoring URL carries its secret in the path: a report line that quotes one shows the host only.
  const urls = result.profiles.flatMap((x) => [x.monitor?.pingUrl, x.monitor?.ntfyUrl]).filter((u): u is string => !!u);
  const hideUrls = (text: string) =>
    urls.reduce((t, u) => t.split(u).join(`${urlHost(u)} (the rest of the address is kept private)`), text);
  const report: ReportItem[] = result.report.map((r) => ({ ...r, profile: finalId(r.profile), message: hideUrls(r.message) }));
  report.push(...notes);
  const hasTodoAt = (at: ReportItem['at']) => report.some((r) => r.kind === 'todo' && r.at && at && where(r.at) === where(at));
  for (const s of result.secrets) {
    const id = finalId(s.profile);
    if (!hasTodoAt(s.at))
      report.push({
        kind: 'todo',
        profile: id,
        message: `${REMOVE_PASSPHRASE} once it is in ${keychain}: a passphrase in plain text lets anyone who reads the file open the backups.`,
        at: s.at,
      });
  }
  // A reader that already told how to stop the old job (at the file, or for the whole import) said it once.
  const toldStop = (job: OldJob) => hasTodoAt(job.at) || report.some((r) => r.kind === 'todo' && r.message.includes(job.howToStop));
  for (const job of result.oldJobs) if (!toldStop(job)) report.push(oldJobTodo(job, null));
  const config = { ...current, profiles: [...existing, ...add.map((a) => a.profile)] };
  return { add, skipped, report, config };
}

/** The passphrase verdict and reachability a profile's doctor findings tell. */
export function verdictOf(p: Pick<Profile, 'id' | 'encryption'>, findings: Finding[], encryption: string | null): ProfileCheck {
  // A failure wins over an earlier success of the same check (doctor may say both for the passphrase).
  const of = (check: string) => {
    const all = findings.filter((f) => f.check === `${p.id}: ${check}`);
    return all.find((f) => !f.ok) ?? all[0];
  };
  const repository = of('repository');
  const connection = of('connection');
  const passphrase = of('passphrase');
  const notNeeded = encryption === 'none' || p.encryption === 'none';
  let reachable: boolean | null = null;
  let verdict: PassphraseVerdict = 'unchecked';
  if (repository?.ok) {
    reachable = true;
    verdict = notNeeded ? 'not-needed' : 'opens';
  } else if (passphrase && !passphrase.ok) {
    // From the keyring lookup (no borg run: reachability unknown), or borg refused the passphrase.
    reachable = passphrase.kind === undefined ? null : true;
    verdict = passphrase.kind === 'passphrase-wrong' ? 'wrong' : 'missing';
  } else if ((repository && !repository.ok) || (connection && !connection.ok)) reachable = false;
  return { reachable, encryption, passphrase: verdict, findings };
}

function outcomeOf(a: PlannedProfile, foundSecret: boolean): ImportedOutcome {
  const p = a.profile;
  const prune = p.prune === undefined ? { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 } : p.prune;
  return {
    id: a.id,
    importedAs: a.importedAs,
    name: p.name ?? a.id,
    repository: p.repository,
    sources: p.sources,
    excludes: p.excludes ?? [],
    archiveName: p.archiveName ?? '{hostname}-daily-{now}',
    schedule: p.schedule ?? null,
    volume: p.volume ?? null,
    prune,
    keep: keepWords(prune),
    when: scheduleWords({ schedule: p.schedule ?? null, volume: p.volume ?? null }),
    monitor: p.monitor ? { ping: urlHost(p.monitor.pingUrl), ntfy: urlHost(p.monitor.ntfyUrl) } : null,
    passphraseFound: foundSecret,
    passphraseStored: null,
    check: null,
  };
}

/** `profiles[3].archiveName` → the imported profile at index 3, when it is one of ours. */
function errorsFor(errors: FieldError[], existingCount: number, add: PlannedProfile[]): ImportOutcome['errors'] {
  return errors.map((e) => {
    const m = /^profiles\[(\d+)\]/.exec(e.path);
    const i = m ? Number(m[1]) - existingCount : -1;
    return { ...e, profile: i >= 0 && i < add.length ? add[i]!.id : null };
  });
}

/** The answer of a dry run: what would be created, nothing checked. */
export function previewOutcome(plan: ImportPlan, result: ImportResult): ImportOutcome {
  return {
    dryRun: true,
    saved: false,
    errors: [],
    conflict: false,
    profiles: plan.add.map((a) =>
      outcomeOf(
        a,
        result.secrets.some((s) => s.profile === a.importedAs),
      ),
    ),
    skipped: plan.skipped,
    report: plan.report,
  };
}

// ---- with the engine -------------------------------------------------------------------------------

function existingCount(json: Record<string, unknown>): number {
  return Array.isArray(json.profiles) ? json.profiles.length : 0;
}

/** config.json as written (not the parsed form, whose defaults would all be written out), with its revision. */
async function readCurrent(file: string): Promise<{ json: Record<string, unknown> | null; revision: string; text: string | null }> {
  const bytes = await fs.readFile(file).catch(() => null);
  if (bytes === null) return { json: { profiles: [] }, revision: configRevision(null), text: null };
  try {
    const json: unknown = JSON.parse(stripBom(bytes.toString('utf8')));
    return {
      json: json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : null,
      revision: configRevision(bytes),
      text: bytes.toString('utf8'),
    };
  } catch {
    return { json: null, revision: configRevision(bytes), text: bytes.toString('utf8') };
  }
}

/**
 * Merges the imported profiles into config.json, stores the passphrases found and checks each
 * repository. With `dryRun` (or nothing importable) nothing is written, stored or run.
 */
export async function applyImport(engine: Engine, result: ImportResult, opts: ApplyOptions = {}): Promise<ImportOutcome> {
  const dryRun = opts.dryRun === true;
  const current = await readCurrent(engine.paths.config);
  const base: Omit<ImportOutcome, 'profiles' | 'skipped' | 'report'> = { dryRun, saved: false, errors: [], conflict: false };
  if (current.json === null || engine.configFileErrors().length > 0) {
    const plan = planImport({ profiles: engine.config.profiles }, result, { keychain: opts.keychain });
    return {
      ...base,
      errors: [
        {
          path: '(file)',
          message: `${engine.paths.config} is not valid: fix it first (dandelion doctor says what is wrong)`,
          profile: null,
        },
      ],
      profiles: plan.add.map((a) =>
        outcomeOf(
          a,
          result.secrets.some((s) => s.profile === a.importedAs),
        ),
      ),
      skipped: plan.skipped,
      report: plan.report,
    };
  }
  const plan = planImport(current.json, result, { keychain: opts.keychain });
  const profiles = plan.add.map((a) =>
    outcomeOf(
      a,
      result.secrets.some((s) => s.profile === a.importedAs),
    ),
  );
  const answer: ImportOutcome = { ...base, profiles, skipped: plan.skipped, report: plan.report };
  if (dryRun) {
    // What a save would refuse, said now (the field and the imported profile it concerns).
    const parsed = parseConfig(plan.config);
    if (!parsed.ok) answer.errors = errorsFor(parsed.errors, existingCount(current.json), plan.add);
    return answer;
  }
  if (plan.add.length === 0) return answer;

  // Against the revision the engine read: an edit made since (by hand, by the app) is not overwritten.
  const expectedRevision = opts.expectedRevision ?? engine.configRevision();
  const saved = await engine.saveConfig(plan.config, { expectedRevision });
  if (!saved.ok) {
    answer.errors = errorsFor(saved.errors, existingCount(current.json), plan.add);
    answer.conflict = saved.conflict !== undefined;
    if (answer.conflict)
      answer.errors.push({
        path: '(file)',
        message: `${engine.paths.config} changed while importing: nothing was written; try again`,
        profile: null,
      });
    return answer;
  }
  answer.saved = true;

  for (const out of profiles) {
    const planned = plan.add.find((a) => a.id === out.id)!;
    const secret = result.secrets.find((s) => s.profile === planned.importedAs);
    let refusedAsWrong = false;
    if (secret) {
      // The engine's own save: tried against the repository first, a wrong one is never stored.
      const r = await engine.setPassphrase(out.id, secret.passphrase);
      out.passphraseStored = r.ok;
      refusedAsWrong = !r.ok && r.diagnosis.kind === 'passphrase-wrong';
      // Stored now: the to-do says so, rather than "once it is in …".
      // The reader's to-do or planImport's, whichever was said for that line.
      const remove = answer.report.find(
        (x) => x.kind === 'todo' && x.at && where(x.at) === where(secret.at) && /^Remove\b/.test(x.message),
      );
      if (remove)
        remove.message = r.ok
          ? `Remove the passphrase from this line: it is in ${keychainOf(opts)} now, and in plain text anyone who reads the file can open the backups.`
          : `Remove the passphrase from this line once it is stored in ${keychainOf(opts)} (it is not yet: see below); in plain text anyone who reads the file can open the backups.`;
      if (!r.ok)
        answer.report.push({
          kind: 'todo',
          profile: out.id,
          message: `The passphrase in ${where(secret.at)} was not stored: ${r.diagnosis.message} Store the right one with "dandelion passphrase set ${out.id}" or in Preferences.`,
          at: secret.at,
        });
    }
    if (opts.check === false) continue;
    const p = engine.profile(out.id);
    if (!p) continue;
    const findings = await checkProfile(engine, p);
    const enc = findings.some((f) => f.check === `${p.id}: repository` && f.ok) ? await engine.encryption(p.id) : null;
    out.check = verdictOf(p, findings, enc?.ok ? enc.value.mode : null);
    // borg refused the file's passphrase (so none is stored now): the repository answered, the passphrase is what is wrong.
    if (refusedAsWrong) out.check = { ...out.check, reachable: true, passphrase: 'wrong' };
    for (const f of findings)
      if (!f.ok && !(secret && out.passphraseStored === false && f.check === `${p.id}: passphrase`))
        answer.report.push({ kind: 'todo', profile: out.id, message: f.fix ? `${f.message} ${f.fix}` : f.message, at: null });
  }
  return answer;
}

/** 0: all carried over; 1: imported, with something left out or still to do; 2: nothing importable or not saved. */
export function importExit(o: ImportOutcome): 0 | 1 | 2 {
  if ((o.profiles.length === 0 && o.skipped.length === 0) || o.errors.length > 0) return 2;
  if (o.profiles.length > 0 && !o.dryRun && !o.saved) return 2;
  return o.report.some((r) => r.kind === 'dropped' || r.kind === 'todo') ? 1 : 0;
}
