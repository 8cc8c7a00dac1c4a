import { Supervisor } from './supervisor.js';

export interface DaemonOptions {
  configDir: string;
  out?: (line: string) => void;
  /** Resolves when the daemon should stop; defaults to SIGTERM/SIGINT. */
  until?: Promise<unknown>;
}

/** At shutdown, how long the daemon waits for monitoring pings under way. */
const DAEMON_PING_WAIT_MS = 8_000;

function stamp(line: string): string {
  return `${new Date().toISOString()} ${line}`;
}

function signalled(): Promise<string> {
  return new Promise((resolve) => {
    // SIGHUP too: a daemon started from a terminal that closes stops cleanly (borg checkpoints) instead of dying.
    const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
    const on = (sig: string) => {
      for (const s of signals) process.off(s, on);
      resolve(sig);
    };
    for (const s of signals) process.on(s, on);
  });
}

/**
 * `dandelion daemon`: the supervisor (schedules, catch-up, backup-disk triggers, config reloads,
 * taking the schedules over from an owner that went away), one log line per decision, until
 * SIGTERM/SIGINT. A run in progress is cancelled the way `run` cancels it.
 */
export async function runDaemon(opts: DaemonOptions): Promise<number> {
  const out = opts.out ?? ((line: string) => process.stdout.write(stamp(line) + '\n'));
  const until = opts.until ?? signalled();
  const supervisor = await Supervisor.open({
    configDir: opts.configDir,
    what: `dandelion daemon (pid ${process.pid})`,
    log: out,
    clockJumps: true,
  });
  const { engine, load } = supervisor;
  if (!load.ok) {
    out(`config not valid, not starting: ${load.file}`);
    for (const e of load.errors) out(`  ${e.path}: ${e.message}`);
    return 2;
  }
  engine.on('run-started', ({ profile, trigger }) => out(`[${profile}] started (${trigger})`));
  engine.on('run-finished', (r) => {
    if (r.result === 'skipped') return; // the trigger already said why
    const detail = r.result !== 'success' && r.message ? `: ${r.message}` : '';
    out(`[${r.profile}] finished: ${r.result}${r.archive ? ` (${r.archive})` : ''}${detail}`);
  });
  // A check or restore drill (after a backup, when due): its outcome, with what is damaged when it found damage.
  engine.on('op-finished', (r) => {
    const what = r.kind === 'check' ? 'check' : r.kind === 'drill' ? 'restore drill' : r.kind;
    const detail = r.result !== 'success' ? (r.diagnoses[0]?.message ?? r.message) : r.message;
    out(`[${r.profile}] ${what} finished: ${r.result}${detail ? `: ${detail}` : ''}`);
  });
  out(`daemon started (pid ${process.pid}), config ${engine.paths.config}, ${engine.config.profiles.length} profile(s)`);
  engine.on('notice', out);
  try {
    await supervisor.start();
  } catch (err) {
    // A daemon that cannot start says why, exits non-zero and holds nothing (locks, watchers).
    out(`cannot start: ${(err as Error)?.message ?? String(err)}`);
    await supervisor.stop().catch(() => {});
    return 2;
  }

  const sig = await until;
  out(`stopping${typeof sig === 'string' ? ` on ${sig}` : ''}`);
  await supervisor.stop();
  // A run cancelled just now still tells its monitor; launchd and systemd wait some seconds before SIGKILL.
  if (!(await engine.monitorSettled(DAEMON_PING_WAIT_MS))) out('monitoring: stopped waiting for a ping that was still going');
  out('daemon stopped');
  return 0;
}
