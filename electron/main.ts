/**
 * The menu-bar app's main process: thin glue between Electron and the engine. Decisions live in
 * src/ (the engine, the trigger controller); this file only feeds them and shows their results.
 * The tray, the windows and the typed IPC arrive with the menu-bar work.
 */
import { app, powerMonitor } from 'electron';
import { Engine } from '../src/engine.js';
import { acquireTriggers, TriggerController } from '../src/triggers/controller.js';

export interface Shell {
  engine: Engine;
  triggers: TriggerController | null;
  dispose(): Promise<void>;
}

/** Starts the engine on the app's userData folder (the same one the CLI uses) and owns the triggers if free. */
export async function startShell(log: (line: string) => void = console.log): Promise<Shell> {
  const { engine, load } = await Engine.open({ configDir: app.getPath('userData'), busy: 'wait' });
  if (!load.ok) log(`config.json is not valid: ${load.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  const ownership = await acquireTriggers(engine, `Dandelion.app (pid ${process.pid})`);
  let triggers: TriggerController | null = null;
  if (ownership.ok) {
    triggers = new TriggerController(engine, { log });
    const t = triggers;
    powerMonitor.on('resume', () => void t.resume());
    powerMonitor.on('suspend', () => t.suspend());
    powerMonitor.on('on-battery', () => t.setOnBattery(true));
    powerMonitor.on('on-ac', () => t.setOnBattery(false));
    t.setOnBattery(powerMonitor.isOnBatteryPower());
    await t.start();
  } else {
    log(`backups are scheduled by pid ${ownership.owner.pid} (${ownership.owner.what}); this app only shows status`);
  }
  return {
    engine,
    triggers,
    dispose: async () => {
      await triggers?.stop();
      await engine.cancelAll();
      if (ownership.ok) await ownership.release();
    },
  };
}

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  // A menu-bar app: no Dock icon, and closing every window does not quit it.
  app.dock?.hide();
  app.on('window-all-closed', () => {});
  let shell: Shell | null = null;
  app.whenReady().then(async () => {
    shell = await startShell();
  });
  app.on('before-quit', (event) => {
    if (!shell) return;
    event.preventDefault();
    const s = shell;
    shell = null;
    void s.dispose().finally(() => app.quit());
  });
}

if (process.versions.electron) main();
