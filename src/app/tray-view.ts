/**
 * What the menu bar shows, derived from one engine snapshot: the icon, the title beside it, the
 * tooltip and the menu. Pure (time, platform, Full Disk Access and the login item are arguments),
 * so the Electron glue only turns the result into a Tray and a Menu.
 *
 * Each profile gets one line that says one thing, the most useful first: a run going on (here, with
 * its figures, or in another process), waiting for its disk, a failure (with a planned retry), overdue,
 * a run that ended early (cancelled, interrupted, stopped from outside: said as such, never as a
 * success), backed up with warnings, backed up, never backed up. A skipped run is no news: the line
 * then looks at the last success (and at a planned retry, which means the last real run failed).
 * Waiting for the disk beats an older failure: whatever went wrong, nothing can happen before the
 * disk is back, and connecting it is what the user can do now.
 *
 * The icon, most urgent first:
 *   error      a profile whose line says it failed, config.json invalid, borg missing;
 *   running    a backup going on, here or in another process;
 *   attention  warnings, overdue, waiting for a disk, never backed up, a run that ended early,
 *              Full Disk Access missing (macOS only), no profile at all;
 *   ok         otherwise.
 * Running beats error only for the profile that failed and is now running again: its line says
 * "Backing up…", and the run may well fix it. Another profile's failure, an invalid config.json or a
 * missing borg stays red while something runs, because the run does not fix those.
 *
 * A first launch (no profile) shows the attention icon and a way to set one up, and nags about
 * nothing else (borg, Full Disk Access): those come up when there is a backup to make. An invalid
 * config.json still shows, since it may be why there is no profile.
 */
import type { EngineSnapshot, ProfileSnapshot } from '../engine/status.js';
import type { LiveProgress } from '../engine/run-queue.js';
import type { ErrorKind } from '../diagnosis.js';
import { formatBytes, timeAgo } from '../format.js';
import { compactCount, count, timeUntil, truncate } from './wording.js';
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
}

export type TrayAction =
  | { type: 'run'; profile: string }
  | { type: 'run-all' }
  | { type: 'cancel'; profile: string }
  | { type: 'skip'; profile: string }
  | { type: 'pause'; choice: PauseChoice }
  | { type: 'resume' }
  | { type: 'open-status'; profile?: string }
  | { type: 'open-preferences'; section?: 'new-profile' | 'general' }
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

/** How urgent one line is; a running profile is 'ok' here and counted apart. */
export type GlanceLevel = 'ok' | 'attention' | 'error';

/** One profile at a glance: the status after "Name — " (whole, not yet shortened) and its urgency. */
export interface ProfileGlance {
  status: string;
  level: GlanceLevel;
  running: boolean;
}

/** The room for a status in a menu line before it is cut with "…" (the profile's name comes on top). */
export const STATUS_MAX = 60;

const SEPARATOR: TrayMenuItem = { label: '', type: 'separator' };

/** Runs that ended early without anyone here cancelling them: honest words, not a failure to fix. */
const ENDED_EARLY: Partial<Record<ErrorKind, string>> = {
  interrupted: 'Last backup was interrupted',
  killed: 'Last backup was stopped before it finished',
};

const STEP: Record<LiveProgress['step'], string> = {
  waiting: 'waiting for the repository…',
  starting: 'starting…',
  create: 'creating archive…',
  prune: 'pruning…',
  compact: 'compacting…',
};

function runningStatus(run: LiveProgress): string {
  if (run.step === 'waiting') return 'Waiting for the repository…';
  return run.nfiles > 0 ? `Backing up… ${count(run.nfiles, 'file')}, ${formatBytes(run.originalSize)}` : 'Backing up…';
}

function failed(sentence: string, retryAt: string | null, now: Date): ProfileGlance {
  const retry = retryAt ? ` (retry ${timeUntil(new Date(retryAt), now)})` : '';
  return { status: `Failed${retry}: ${sentence}`, level: 'error', running: false };
}

/** The one line a profile gets in the menu (and the status window may reuse). */
export function profileGlance(p: ProfileSnapshot, now: Date): ProfileGlance {
  const glance = (status: string, level: GlanceLevel): ProfileGlance => ({ status, level, running: false });
  const ago = (iso: string) => timeAgo(new Date(iso), now);
  if (p.run) return { status: runningStatus(p.run), level: 'ok', running: true };
  if (p.runningElsewhere) {
    const shared = p.runningElsewhere.progress;
    return { status: shared ? runningStatus(shared) : 'Backing up…', level: 'ok', running: true };
  }
  if (p.state === 'waiting-for-volume') return glance(`Waiting for ${p.triggers.volume ?? 'the backup disk'}`, 'attention');

  const last = p.lastRun?.result === 'skipped' ? null : p.lastRun;
  const kind = last?.diagnoses[0]?.kind;
  const endedEarly = kind ? ENDED_EARLY[kind] : undefined;
  if (last?.result === 'error' && !endedEarly) {
    return failed(last.diagnoses[0]?.message ?? last.message ?? 'the backup did not finish.', p.retry?.at ?? null, now);
  }
  // Only skipped runs since: a planned retry still says the last real run failed.
  if (!last && p.retry) return failed(p.retry.reason, p.retry.at, now);
  if (p.overdue) return glance(p.lastSuccessAt ? `Overdue, last backup ${ago(p.lastSuccessAt)}` : 'Overdue, never backed up', 'attention');
  if (endedEarly) return glance(endedEarly, 'attention');
  if (kind === 'hollow-backup') return glance('Last backup saved almost nothing', 'attention');
  if (last?.result === 'cancelled') return glance('Last backup was cancelled', 'attention');
  if (last?.result === 'warning') return glance(`backed up ${ago(last.finishedAt)}, with warnings`, 'attention');
  if (p.lastSuccessAt) return glance(`backed up ${ago(p.lastSuccessAt)}`, 'ok');
  return glance('Never backed up', 'attention');
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
  const glances = profiles.map((p) => ({ p, g: profileGlance(p, env.now) }));

  // Problems of the whole app (all of them errors), each a menu line and a tooltip part.
  const problems: { item: TrayMenuItem; tip: string }[] = [];
  if (snapshot.configErrors.length) {
    const first = snapshot.configErrors[0]!;
    problems.push({
      item: { label: 'config.json has errors', action: { type: 'open-preferences' } },
      tip: `config.json has errors (${first.path}: ${first.message})`,
    });
  }
  if (!none && snapshot.borg.state === 'missing') {
    const message = snapshot.borg.diagnosis.message;
    problems.push({
      item: { label: truncate(message, STATUS_MAX), action: { type: 'open-preferences', section: 'general' } },
      tip: message,
    });
  }
  const fdaMissing = mac && !none && env.fullDiskAccess === 'missing';
  // A last run that could not read its sources for want of Full Disk Access offers the same fix.
  const fdaNeeded =
    fdaMissing || profiles.some((p) => p.lastRun !== null && permissionProblem(p.lastRun, env.platform, env.fullDiskAccess) !== null);

  const levels: GlanceLevel[] = glances.map((x) => x.g.level);
  if (problems.length) levels.push('error');
  if (fdaMissing || none) levels.push('attention');
  const running = glances.some((x) => x.g.running);
  const icon: TrayIconState = levels.includes('error') ? 'error' : running ? 'running' : levels.includes('attention') ? 'attention' : 'ok';

  const runsHere = profiles.filter((p) => p.run);
  const shown = runsHere.find((p) => p.run!.step !== 'waiting');
  // A run in another process shows its figures too (rewritten there once a second).
  const shownRun = shown?.run ?? profiles.map((p) => p.runningElsewhere?.progress).find((r) => r && r.step !== 'waiting') ?? null;
  const title = mac && shownRun ? progressTitle(shownRun) : '';

  const runningTips = glances
    .filter((x) => x.g.running)
    .map(({ p }) => (p.run ? `Backing up ${p.name}: ${STEP[p.run.step]}` : `Backing up ${p.name} in another Dandelion process`));
  const tipsAt = (level: GlanceLevel) =>
    glances.filter((x) => !x.g.running && x.g.level === level).map(({ p, g }) => `${p.name}: ${g.status}`);
  let tips: string[];
  if (icon === 'error') tips = [...problems.map((x) => x.tip), ...tipsAt('error'), ...runningTips];
  else if (icon === 'running') tips = runningTips;
  else if (none) tips = ['No backup set up yet'];
  else if (icon === 'attention') tips = [...tipsAt('attention'), ...(fdaMissing ? ['Full Disk Access is not granted'] : [])];
  else tips = tipsAt('ok');
  const paused = pausedSentence(snapshot.paused, env.now);
  const tooltip = `Dandelion — ${[...tips, ...(paused ? [paused] : [])].join('; ')}`;

  const menu: TrayMenuItem[] = problems.map((x) => x.item);
  if (none) {
    menu.push(
      { label: 'No backup set up yet', enabled: false },
      { label: 'Set Up a Backup…', action: { type: 'open-preferences', section: 'new-profile' } },
    );
  }
  for (const { p, g } of glances) {
    menu.push({ label: `${p.name} — ${truncate(g.status, STATUS_MAX)}`, action: { type: 'open-status', profile: p.id } });
  }
  if (fdaNeeded) menu.push({ label: 'Grant Full Disk Access…', action: { type: 'open-fda-settings' } });
  menu.push(SEPARATOR);

  if (!none) {
    menu.push(backUpNow(profiles, (p) => p.run !== null || p.runningElsewhere !== null));
    menu.push(...runControls(profiles), ...pauseItems(snapshot.paused, env.now));
    menu.push(SEPARATOR);
  }

  menu.push(
    { label: 'Open Dandelion…', action: { type: 'open-status' } },
    { label: 'Preferences…', action: { type: 'open-preferences' }, accelerator: 'CommandOrControl+,' },
    { label: 'Open at Login', type: 'checkbox', checked: env.login.openAtLogin, action: { type: 'toggle-login' } },
  );
  if (mac && env.login.status === 'requires-approval') {
    menu.push({ label: 'Open at Login needs approval in System Settings…', action: { type: 'open-login-settings' } });
  }
  menu.push(SEPARATOR, { label: 'Quit Dandelion', action: { type: 'quit' }, accelerator: 'CommandOrControl+Q' });

  return { icon, title, tooltip, menu };
}
