/**
 * The menu-bar app's main process: thin glue between Electron and the engine's supervisor, which
 * owns or follows the schedules, reloads config.json and follows other processes. This file only
 * feeds it the power events and the app's lifecycle. The tray, the windows and the typed IPC build
 * on `shell.supervisor.engine` (its snapshot and events).
 */
import { app, powerMonitor } from 'electron';
import { defaultConfigDir } from '../src/paths.js';
import { Supervisor } from '../src/supervisor.js';

export interface Shell {
  supervisor: Supervisor;
  dispose(): Promise<void>;
}

/** Power events as the supervisor wants them; returned so tests can check the wiring. */
export function wirePower(supervisor: Supervisor): () => void {
  const handlers = {
    resume: () => void supervisor.resume(),
    suspend: () => supervisor.suspend(),
    'on-battery': () => supervisor.setOnBattery(true),
    'on-ac': () => supervisor.setOnBattery(false),
  } as const;
  for (const [event, handler] of Object.entries(handlers)) powerMonitor.on(event as 'resume', handler);
  return () => {
    for (const [event, handler] of Object.entries(handlers)) powerMonitor.off(event as 'resume', handler);
  };
}

/**
 * Starts the engine on the same config folder as the CLI (defaultConfigDir, which honours
 * DANDELION_CONFIG_DIR) and owns the schedules when nobody else does.
 */
export async function startShell(log: (line: string) => void = console.log, configDir = defaultConfigDir()): Promise<Shell> {
  const supervisor = await Supervisor.open({
    configDir,
    what: `Dandelion.app (pid ${process.pid})`,
    log,
    onBattery: powerMonitor.isOnBatteryPower(),
  });
  if (!supervisor.load.ok) log(`config.json is not valid: ${supervisor.load.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  const unwire = wirePower(supervisor);
  await supervisor.start();
  return {
    supervisor,
    dispose: async () => {
      unwire();
      await supervisor.stop();
    },
  };
}

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  // Chromium's own files (caches, local storage) must not mix with the engine's config folder.
  app.setPath('userData', `${app.getPath('appData')}/Dandelion App Data`);
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
