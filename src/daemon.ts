import { watch } from 'chokidar';
import { Engine } from './engine.js';
import { acquireTriggers, TriggerController } from './triggers/controller.js';
import { watchClockJumps } from './triggers/clock-jump.js';

export interface DaemonOptions {
  configDir: string;
  out?: (line: string) => void;
  /** Resolves when the daemon should stop; defaults to SIGTERM/SIGINT. */
  until?: Promise<unknown>;
}

function stamp(line: string): string {
  return `${new Date().toISOString()} ${line}`;
}

function signalled(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(sig);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

/**
 * `dandelion daemon`: schedules, catch-up, backup-disk triggers and config reloads, one log line per
 * decision, until SIGTERM/SIGINT. A run in progress is cancelled the way `run` cancels it.
 */
export async function runDaemon(opts: DaemonOptions): Promise<number> {
  const out = opts.out ?? ((line: string) => process.stdout.write(stamp(line) + '\n'));
  const until = opts.until ?? signalled();
  const { engine, load } = await Engine.open({ configDir: opts.configDir, busy: 'wait' });
  if (!load.ok) {
    out(`config not valid, not starting: ${load.file}`);
    for (const e of load.errors) out(`  ${e.path}: ${e.message}`);
    return 2;
  }
  const owner = await acquireTriggers(engine, `dandelion daemon (${opts.configDir})`);
  if (!owner.ok) {
    out(
      `the triggers of ${opts.configDir} are already owned by pid ${owner.owner.pid} (${owner.owner.what}, since ${owner.owner.since}); not starting a second owner`,
    );
    return 2;
  }

  engine.on('run-started', ({ profile, trigger }) => out(`[${profile}] started (${trigger})`));
  engine.on('run-finished', (r) => {
    if (r.result === 'skipped') return; // the trigger already said why
    const detail = r.result !== 'success' && r.message ? `: ${r.message}` : '';
    out(`[${r.profile}] finished: ${r.result}${r.archive ? ` (${r.archive})` : ''}${detail}`);
  });
  engine.on('config-error', ({ file, errors }) => {
    out(`config change not applied, ${file} is not valid (the previous config stays in force):`);
    for (const e of errors) out(`  ${e.path}: ${e.message}`);
  });

  const triggers = new TriggerController(engine, { log: out });
  // Reload on edit (chokidar follows editors that save by rename), debounced; armed before the first
  // run so no edit slips between start and watch.
  let reloadTimer: NodeJS.Timeout | undefined;
  const configWatcher = watch(engine.paths.config, {
    ignoreInitial: true,
    awaitWriteFinish: { stabilityThreshold: 150, pollInterval: 50 },
  });
  await new Promise<void>((resolve) => configWatcher.once('ready', () => resolve()));
  configWatcher.on('all', () => {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(async () => {
      const r = await engine.reload();
      if (r.ok) {
        out(`config reloaded: ${r.config.profiles.length} profile(s)`);
        await triggers.refresh();
        await triggers.evaluateAll('catch-up');
      }
    }, 100);
  });

  out(`daemon started (pid ${process.pid}), config ${engine.paths.config}, ${engine.config.profiles.length} profile(s)`);
  await triggers.start();

  // On Linux nobody tells a daemon about sleep; a jump in wall-clock time does.
  const stopClock = watchClockJumps((gap) => {
    if (gap > 0) void triggers.resume();
  });

  const sig = await until;
  out(`stopping${typeof sig === 'string' ? ` on ${sig}` : ''}`);
  stopClock();
  clearTimeout(reloadTimer);
  await configWatcher.close();
  await triggers.stop();
  await engine.cancelAll();
  await owner.release();
  out('daemon stopped');
  return 0;
}
