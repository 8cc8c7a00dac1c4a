/**
 * What the menu bar shows, derived from one engine snapshot: the icon, the title beside it, the
 * tooltip and the menu. Pure (time, locale, platform and its version, Full Disk Access and the login
 * item are arguments), so the Electron glue only turns the result into a Tray and a Menu.
 *
 * Each profile gets a block that reads like Time Machine's menu: when you were last safe, then what
 * is happening or wrong (if anything), then when the next backup comes.
 *
 *   Latest backup to backup.example.com: Today, 21:54      (or "No backups yet on …")
 *   Backup failed: The passphrase is wrong.                 (what is happening or wrong, if anything)
 *   Next backup: Tomorrow, 09:00                            ("Next attempt: …" when a retry is planned)
 *
 * The destination is the disk's volume name or the server's host; with several profiles the first
 * line also names the profile ("Off-site — Latest backup to …"). The latest backup is always the
 * last success: a cancelled or interrupted attempt after it is said on the second line, never in
 * place of it. The second line says one thing, the most useful first: a run going on (here, with its
 * figures, or in another process), waiting for its disk, a failure, overdue (and what it waits for:
 * power or its disk), an attempt that ended early (cancelled, interrupted, stopped from outside:
 * said as such, never as a success), a backup that saved almost nothing, warnings. A skipped run is
 * no news: the block then looks at the last success (and at a planned retry, which means the last
 * real run failed). Waiting for the disk beats an older failure: whatever went wrong, nothing can
 * happen before the disk is back, and connecting it is what the user can do now.
 *
 * The icon, most urgent first:
 *   error      a profile whose block says it failed, config.json invalid, borg missing;
 *   running    a backup going on, here or in another process;
 *   attention  warnings, overdue, waiting for a disk, never backed up, a run that ended early,
 *              Full Disk Access missing (macOS only), no profile at all;
 *   ok         otherwise.
 * Running beats error only for the profile that failed and is now running again: its block says
 * "Backing up", and the run may well fix it. Another profile's failure, an invalid config.json or a
 * missing borg stays red while something runs, because the run does not fix those.
 *
 * A first launch (no profile) shows the attention icon and a way to set one up, and nags about
 * nothing else (borg, Full Disk Access): those come up when there is a backup to make. An invalid
 * config.json offers to fix the settings instead: it may be why there is no profile, and a new
 * profile could not be saved beside it anyway.
 */
import type { EngineSnapshot, ProfileSnapshot } from '../engine/status.js';
import type { LiveProgress } from '../engine/run-queue.js';
import type { ErrorKind } from '../diagnosis.js';
import { formatBytes, timeAgo } from '../format.js';
import {
  compactCount,
  count,
  dayAndTime,
  destinationName,
  overdueWords,
  settingsLabel,
  shorten,
  waitingWords,
  type LocalClock,
} from './wording.js';
import { permissionProblem } from './full-disk-access.js';
import type { PauseChoice } from '../engine/pause.js';
import { pauseItems, pausedSentence, runControls } from './pause-menu.js';

export type TrayIconState = 'ok' | 'running' | 'attention' | 'error';
export type FdaState = 'granted' | 'missing' | 'unknown';
export type LoginItemStatus = 'enabled' | 'requires-approval' | 'not-registered' | 'not-found' | 'unknown';

export interface TrayEnv {
  now: Date;
  platform: NodeJS.Platform;
  fullDiskAccess: FdaState;
  login: { openAtLogin: boolean; status: LoginItemStatus };
  /** The OS's locale for dates and times (Electron: app.getSystemLocale()); the process's when absent. */
  locale?: string;
  /** The zone times are said in; the process's when absent (tests fix it). */
  timeZone?: string;
  /** macOS version (Electron: process.getSystemVersion()): "Settings…" from 13 on, "Preferences…" before. */
  systemVersion?: string;
  /** The home folder, to name a local destination outside any disk ("~/Backups"). */
  home?: string;
}

export type TrayAction =
  | { type: 'run'; profile: string }
  | { type: 'run-all' }
  | { type: 'cancel'; profile: string }
  | { type: 'skip'; profile: string }
  | { type: 'pause'; choice: PauseChoice }
  | { type: 'resume' }
  | { type: 'open-status'; profile?: string }
  /** The Browse Backups window, on a profile's backups when named. */
  | { type: 'open-browse'; profile?: string }
  | { type: 'open-preferences'; section?: 'new-profile' | 'general' | 'errors' }
  | { type: 'toggle-login' }
  | { type: 'open-login-settings' }
  | { type: 'open-fda-settings' }
  | { type: 'quit' };

export interface TrayMenuItem {
  label: string;
  type?: 'normal' | 'separator' | 'checkbox';
  action?: TrayAction;
  enabled?: boolean;
  checked?: boolean;
  accelerator?: string;
  submenu?: TrayMenuItem[];
}

export interface TrayView {
  icon: TrayIconState;
  title: string;
  tooltip: string;
  menu: TrayMenuItem[];
}

/** How urgent one block is; a running profile is 'ok' here and counted apart. */
export type GlanceLevel = 'ok' | 'attention' | 'error';

/** One profile at a glance: the lines of its block (whole, not yet shortened) and its urgency. */
export interface ProfileGlance {
  /** "Latest backup to <destination>: Today, 21:54", or "No backups yet on <destination>". */
  latest: string;
  /** What is happening or wrong, as one sentence; null when there is nothing to say. */
  status: string | null;
  /** "Next backup: …" or "Next attempt: …"; null while running or when only the user starts backups. */
  next: string | null;
  /**
   * Beside the latest backup: "Verified 3 days ago · Restore proven 3 days ago", "Verification overdue: …",
   * or "Backups may not be restorable: …" when the last check or restore drill found damage; null before
   * anything was verified (and while nothing is overdue).
   */
  verified: string | null;
  /** The whole sentence for the tooltip when a check or drill found damage (its diagnosis); else null. */
  verifyProblem: string | null;
  level: GlanceLevel;
  running: boolean;
}

/** The room for a line in the menu before it is cut with "…". */
export const STATUS_MAX = 64;

const SEPARATOR: TrayMenuItem = { label: '', type: 'separator' };

/** Runs that ended early without anyone here cancelling them: honest words, not a failure to fix. */
const ENDED_EARLY: Partial<Record<ErrorKind, string>> = {
  interrupted: 'The last attempt was interrupted',
  killed: 'The last attempt was stopped before it finished',
};

const STEP: Record<LiveProgress['step'], string> = {
  waiting: 'waiting for the repository',
  starting: 'starting',
  create: 'creating the archive',
  prune: 'pruning',
  compact: 'compacting',
};

function runningStatus(run: LiveProgress): string {
  if (run.step === 'waiting') return 'Waiting for the repository, in use by another backup';
  return run.nfiles > 0 ? `Backing up: ${count(run.nfiles, 'file')}, ${formatBytes(run.originalSize)}` : 'Backing up now';
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** A diagnosis sentence as a menu line: whole, ending as a sentence does. */
function failure(sentence: string): string {
  return `Backup failed: ${/[.!?]$/.test(sentence) ? sentence : `${sentence}.`}`;
}

export interface GlanceEnv extends LocalClock {
  now: Date;
  home?: string;
}

const DAMAGE_PREFIX = /^Backups may not be restorable: /;

/** The verification line and, for damage, its tooltip sentence (see ProfileGlance.verified). */
export function verificationWords(
  p: Pick<ProfileSnapshot, 'lastVerified' | 'lastProven' | 'verifyOverdue' | 'verifyFailed' | 'lastSuccessAt'>,
  now: Date,
): { line: string | null; problem: string | null; level: GlanceLevel } {
  if (p.verifyFailed) {
    const what = p.verifyFailed.kind === 'check' ? 'the last check found damage' : 'the last restore drill failed';
    const said = p.verifyFailed.diagnosis?.message.replace(DAMAGE_PREFIX, '') ?? what;
    return { line: `Backups may not be restorable: ${what}`, problem: `Backups may not be restorable: ${said}`, level: 'error' };
  }
  const ago = (iso: string) => timeAgo(new Date(iso), now);
  if (p.verifyOverdue) {
    const last = [p.lastVerified, p.lastProven].filter((x): x is string => x !== null).sort()[0];
    return { line: `Verification overdue: ${last ? `last verified ${ago(last)}` : 'never verified'}`, problem: null, level: 'attention' };
  }
  if (!p.lastVerified && !p.lastProven) return { line: null, problem: null, level: 'ok' };
  const verified = p.lastVerified ? `Verified ${ago(p.lastVerified)}` : 'Not verified yet';
  const proven = p.lastProven ? `Restore proven ${ago(p.lastProven)}` : 'Restore not proven yet';
  return { line: `${verified} · ${proven}`, problem: null, level: 'ok' };
}

const RANK: Record<GlanceLevel, number> = { ok: 0, attention: 1, error: 2 };

/** The block a profile gets in the menu (and the status window may reuse), with its verification line. */
export function profileGlance(p: ProfileSnapshot, env: GlanceEnv | Date): ProfileGlance {
  const e: GlanceEnv = env instanceof Date ? { now: env } : env;
  const g = backupGlance(p, e);
  const v = verificationWords(p, e.now);
  // A run going on stays the block's news (it is 'ok' and counted apart); damage still shows beside the latest backup.
  const level = g.running ? g.level : RANK[v.level] > RANK[g.level] ? v.level : g.level;
  return { ...g, verified: v.line, verifyProblem: v.problem, level };
}

function backupGlance(p: ProfileSnapshot, env: GlanceEnv): Omit<ProfileGlance, 'verified' | 'verifyProblem'> {
  const e = env;
  const when = (iso: string) => dayAndTime(new Date(iso), e.now, e);
  const disk = p.triggers.volume;
  const destination = destinationName(p.repository, { volume: disk, home: e.home });
  const latest = p.lastSuccessAt ? `Latest backup to ${destination}: ${when(p.lastSuccessAt)}` : `No backups yet on ${destination}`;
  const schedule = p.nextRunAt ? `Next backup: ${when(p.nextRunAt)}` : disk ? `Next backup: when ${disk} is connected` : null;
  const block = (
    status: string | null,
    level: GlanceLevel,
    next: string | null = schedule,
  ): Omit<ProfileGlance, 'verified' | 'verifyProblem'> => ({
    latest,
    status,
    next,
    level,
    running: false,
  });

  if (p.run) return { latest, status: runningStatus(p.run), next: null, level: 'ok', running: true };
  if (p.runningElsewhere) {
    // Its figures, from the other process's run state, once it has some.
    const shared = p.runningElsewhere.progress;
    return { latest, status: shared ? runningStatus(shared) : 'Backing up now', next: null, level: 'ok', running: true };
  }
  if (p.state === 'waiting-for-volume')
    return block(p.overdue ? overdueWords('disk', disk) : capitalised(waitingWords('disk', disk)), 'attention', null);

  const last = p.lastRun?.result === 'skipped' ? null : p.lastRun;
  const kind = last?.diagnoses[0]?.kind;
  const endedEarly = kind ? ENDED_EARLY[kind] : undefined;
  const retry = p.retry ? `Next attempt: ${when(p.retry.at)}` : schedule;
  if (last?.result === 'error' && !endedEarly) {
    return block(failure(last.diagnoses[0]?.message ?? last.message ?? 'The backup did not finish.'), 'error', retry);
  }
  // Only skipped runs since: a planned retry still says the last real run failed.
  if (!last && p.retry) return block(failure(p.retry.reason), 'error', retry);
  if (p.overdue) return block(overdueWords(p.waitingFor, disk), 'attention', p.waitingFor === 'power' ? null : schedule);
  // Due, held back until the computer is plugged in: the user chose it, and it is said, not feared.
  const held = p.waitingFor === 'power' ? capitalised(waitingWords('power', disk)) : null;
  if (endedEarly) return block(endedEarly, 'attention');
  if (kind === 'hollow-backup') return block('The latest backup saved almost nothing', 'attention');
  if (last?.result === 'cancelled') return block(held ?? 'The last attempt was cancelled', 'attention');
  if (last?.result === 'warning') return block(held ?? 'The latest backup had warnings', 'attention');
  if (p.lastSuccessAt) return block(held, 'ok', held ? null : schedule);
  return block(held, 'attention', held ? null : schedule);
}

/** "42%" while a step knows its total, else the file count so far; '' before there is a figure. */
function progressTitle(run: LiveProgress): string {
  if (run.percent !== null) return `${Math.floor(run.percent)}%`;
  return run.nfiles > 0 ? compactCount(run.nfiles) : '';
}

function backUpNow(profiles: ProfileSnapshot[], busy: (p: ProfileSnapshot) => boolean): TrayMenuItem {
  if (profiles.length === 1) {
    const p = profiles[0]!;
    return { label: 'Back Up Now', action: { type: 'run', profile: p.id }, enabled: !busy(p) };
  }
  const idle = profiles.some((p) => !busy(p));
  return {
    label: 'Back Up Now',
    enabled: idle,
    submenu: [
      ...profiles.map((p): TrayMenuItem => ({ label: p.name, action: { type: 'run', profile: p.id }, enabled: !busy(p) })),
      SEPARATOR,
      { label: 'All Profiles', action: { type: 'run-all' }, enabled: idle },
    ],
  };
}

export function trayView(snapshot: EngineSnapshot, env: TrayEnv): TrayView {
  const { profiles } = snapshot;
  const mac = env.platform === 'darwin';
  const none = profiles.length === 0;
  const several = profiles.length > 1;
  const glances = profiles.map((p) => ({ p, g: profileGlance(p, env) }));
  const settings = settingsLabel(env.platform, env.systemVersion);

  // Problems of the whole app (all of them errors), each a menu line or two and a tooltip line.
  const problems: { items: TrayMenuItem[]; tip: string }[] = [];
  if (snapshot.configErrors.length) {
    const first = snapshot.configErrors[0]!;
    const more = snapshot.configErrors.length - 1;
    problems.push({
      items: [
        { label: 'config.json has errors', enabled: false },
        // Named as the settings item below it is: "Fix Settings…" from macOS 13, "Fix Preferences…" before.
        { label: `Fix ${settings}`, action: { type: 'open-preferences', section: 'errors' } },
      ],
      tip: `config.json has errors: ${first.path}: ${first.message}${more ? ` (and ${count(more, 'more error')})` : ''}`,
    });
  }
  if (!none && snapshot.borg.state === 'missing') {
    const d = snapshot.borg.diagnosis;
    problems.push({
      items: [
        {
          label: d.kind === 'borg-too-old' ? 'BorgBackup is too old' : 'BorgBackup was not found',
          action: { type: 'open-preferences', section: 'general' },
        },
      ],
      tip: d.message,
    });
  }
  const fdaMissing = mac && !none && env.fullDiskAccess === 'missing';
  // A last run that could not read its sources for want of Full Disk Access offers the same fix.
  const fdaNeeded =
    fdaMissing || profiles.some((p) => p.lastRun !== null && permissionProblem(p.lastRun, env.platform, env.fullDiskAccess) !== null);

  const levels: GlanceLevel[] = glances.map((x) => x.g.level);
  if (problems.length) levels.push('error');
  if (fdaMissing || (none && !problems.length)) levels.push('attention');
  const running = glances.some((x) => x.g.running);
  const icon: TrayIconState = levels.includes('error') ? 'error' : running ? 'running' : levels.includes('attention') ? 'attention' : 'ok';

  const runsHere = profiles.filter((p) => p.run);
  const shown = runsHere.find((p) => p.run!.step !== 'waiting');
  // A run in another process shows its figures too (rewritten there once a second).
  const shownRun = shown?.run ?? profiles.map((p) => p.runningElsewhere?.progress).find((r) => r && r.step !== 'waiting') ?? null;
  const title = mac && shownRun ? progressTitle(shownRun) : '';

  // The tooltip: one line per thing worth saying, each a sentence of its own.
  const sentence = (text: string) => (/[.!?…]$/.test(text) ? text : `${text}.`);
  const runningTips = glances
    .filter((x) => x.g.running)
    .map(({ p }) => (p.run ? `${p.name} — Backing up: ${STEP[p.run.step]}.` : `${p.name} — Backing up in another Dandelion process.`));
  // What a block that needs the user says: its status line, the damage a check found, an overdue verification.
  const tipsOf = (g: ProfileGlance): string[] => {
    const parts = [g.status, g.verifyProblem ?? (g.status === null && g.verified?.startsWith('Verification overdue') ? g.verified : null)];
    const said = parts.filter((x): x is string => x !== null);
    return said.length ? said : [g.latest];
  };
  const tipsAt = (level: GlanceLevel) =>
    glances.filter((x) => !x.g.running && x.g.level === level).flatMap(({ p, g }) => tipsOf(g).map((t) => `${p.name} — ${sentence(t)}`));
  let tips: string[];
  if (icon === 'error') tips = [...problems.map((x) => sentence(x.tip)), ...tipsAt('error'), ...runningTips];
  else if (icon === 'running') tips = runningTips;
  else if (none) tips = ['No backup set up yet.'];
  else if (icon === 'attention') tips = [...tipsAt('attention'), ...(fdaMissing ? ['Full Disk Access is not granted.'] : [])];
  else tips = glances.map(({ p, g }) => `${p.name} — ${sentence(g.latest)}${g.verified ? ` ${sentence(g.verified)}` : ''}`);
  const paused = pausedSentence(snapshot.paused, env.now, env.locale);
  const tooltip = ['Dandelion', ...tips, ...(paused ? [sentence(paused)] : [])].join('\n');

  const menu: TrayMenuItem[] = problems.flatMap((x) => x.items);
  if (none && !problems.length) {
    menu.push(
      { label: 'No backup set up yet', enabled: false },
      { label: 'Set Up a Backup…', action: { type: 'open-preferences', section: 'new-profile' } },
    );
  }
  glances.forEach(({ p, g }, i) => {
    if (i > 0 || problems.length) menu.push(SEPARATOR);
    const open: TrayAction = { type: 'open-status', profile: p.id };
    const lines = [several ? `${p.name} — ${g.latest}` : g.latest, g.verified, g.status, g.next];
    for (const text of lines) if (text) menu.push({ label: shorten(text, STATUS_MAX), action: open });
  });
  if (fdaNeeded) menu.push({ label: 'Grant Full Disk Access…', action: { type: 'open-fda-settings' } });
  menu.push(SEPARATOR);

  if (!none) {
    menu.push(backUpNow(profiles, (p) => p.run !== null || p.runningElsewhere !== null));
    menu.push(...runControls(profiles), ...pauseItems(snapshot.paused, env.now, env.locale));
    menu.push(SEPARATOR);
  }

  menu.push({ label: 'Open Dandelion', action: { type: 'open-status' } });
  // Time Machine's "Browse Time Machine Backups": the window to get files back from (once there is a backup to browse).
  if (!none) menu.push({ label: 'Browse Backups…', action: { type: 'open-browse' } });
  menu.push(
    { label: settings, action: { type: 'open-preferences' }, accelerator: 'CommandOrControl+,' },
    { label: 'Open at Login', type: 'checkbox', checked: env.login.openAtLogin, action: { type: 'toggle-login' } },
  );
  if (mac && env.login.status === 'requires-approval') {
    menu.push({ label: 'Open at Login needs approval in System Settings…', action: { type: 'open-login-settings' } });
  }
  menu.push(SEPARATOR, { label: 'Quit Dandelion', action: { type: 'quit' }, accelerator: 'CommandOrControl+Q' });

  return { icon, title, tooltip, menu };
}
