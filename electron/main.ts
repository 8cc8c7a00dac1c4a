/**
 * The menu-bar app's main process: thin glue between Electron and the engine. The supervisor owns
 * or follows the schedules; every decision the user sees (icon, menu, notifications, Full Disk
 * Access, Open at Login) is a pure function in src/app/; the windows talk to the engine only
 * through the contract in src/ipc/. This file wires them together and runs the app's lifecycle.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, powerMonitor, shell } from 'electron';
import { defaultConfigDir } from '../src/paths.js';
import { Supervisor } from '../src/supervisor.js';
import type { SecretStore } from '../src/secrets/keyring.js';
import type { Engine } from '../src/engine.js';
import { appSnapshot, createDispatcher, rememberLogin, type Host } from '../src/ipc/handlers.js';
import type { FdaState } from '../src/ipc/contract.js';
import { FDA_SETTINGS_URL, LOGIN_ITEMS_URL, probeFullDiskAccess } from '../src/app/full-disk-access.js';
import type { TrayAction } from '../src/app/tray-view.js';
import { appSettings } from '../src/profiles/schema.js';
import { loginAtFirstLaunch } from '../src/app/login.js';
import { xdgAutostart } from '../src/app/autostart.js';
import { electronUserData } from '../src/app/dirs.js';
import { wirePower, holdWhileRunning } from './power.js';
import { TrayController } from './tray.js';
import { WindowManager } from './windows.js';
import { registerIpc } from './ipc.js';
import { wireNotifications } from './notify.js';
import { electronHost } from './host.js';

export { wirePower } from './power.js';

/** dist-electron/electron/main.js → the app's root (assets/, dist-renderer/). */
export const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Shell {
  supervisor: Supervisor;
  dispose(): Promise<void>;
}

/**
 * Starts the engine on the same config folder as the CLI (defaultConfigDir, which honours
 * DANDELION_CONFIG_DIR) and owns the schedules when nobody else does.
 */
export async function startShell(
  log: (line: string) => void = console.log,
  configDir = defaultConfigDir(),
  opts: { secrets?: SecretStore; takeoverPollMs?: number } = {},
): Promise<Shell> {
  const supervisor = await Supervisor.open({
    configDir,
    what: `Dandelion.app (pid ${process.pid})`,
    log,
    onBattery: powerMonitor.isOnBatteryPower(),
    secrets: opts.secrets,
    takeoverPollMs: opts.takeoverPollMs,
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

export interface AppOptions {
  configDir?: string;
  log?: (line: string) => void;
  platform?: NodeJS.Platform;
  appRoot?: string;
  /** The Full Disk Access probe; by default reads TCC-protected folders of the home folder. */
  fdaProbe?: () => Promise<FdaState>;
  secrets?: SecretStore;
  takeoverPollMs?: number;
}

export interface DandelionApp {
  engine: Engine;
  supervisor: Supervisor;
  tray: TrayController;
  windows: WindowManager;
  host: Host;
  /** What a click on a tray item does. */
  act(action: TrayAction): void;
  /** The user's Quit: asks first while a backup runs; true when the app may quit (everything released). */
  requestQuit(): Promise<boolean>;
  dispose(): Promise<void>;
}

export async function startApp(opts: AppOptions = {}): Promise<DandelionApp> {
  const platform = opts.platform ?? process.platform;
  const appRoot = opts.appRoot ?? APP_ROOT;
  const log = opts.log ?? console.log;
  const launchedAt = new Date();
  const shellState = await startShell(log, opts.configDir ?? defaultConfigDir(), {
    secrets: opts.secrets,
    takeoverPollMs: opts.takeoverPollMs,
  });
  const { supervisor } = shellState;
  const engine = supervisor.engine;

  let fda: FdaState = 'unknown';
  const probe = opts.fdaProbe ?? (() => probeFullDiskAccess({ platform, home: os.homedir() }));
  const reprobe = async () => {
    const next = await probe().catch((): FdaState => 'unknown');
    if (next !== fda) {
      fda = next;
      engine.changed();
    }
  };
  await reprobe();

  const rendererDir = path.join(appRoot, 'dist-renderer');
  // The host opens windows and the windows need the host's part of the snapshot: the closure below
  // runs only after both exist.
  const host = electronHost({
    platform,
    fullDiskAccess: () => fda,
    openWindow: (w, o) => void windows.show(w, o),
    autostart: platform === 'linux' ? xdgAutostart(process.env.APPIMAGE ?? process.execPath) : null,
  });
  const windows: WindowManager = new WindowManager({
    engine,
    rendererDir,
    preload: path.join(rendererDir, 'preload.cjs'),
    app: (s) => appSnapshot(host, s),
  });
  const unregister = registerIpc(windows, createDispatcher({ engine, host }));

  const setLogin = async (on: boolean) => {
    host.setLogin(on);
    await rememberLogin(engine, on);
    engine.changed();
  };
  const act = (action: TrayAction): void => {
    switch (action.type) {
      case 'run':
        void engine.run(action.profile, { trigger: 'manual', busy: 'wait' });
        return;
      case 'run-all':
        for (const p of engine.config.profiles) if (!engine.isRunning(p.id)) void engine.run(p.id, { trigger: 'manual', busy: 'wait' });
        return;
      case 'cancel':
        engine.cancel(action.profile);
        return;
      case 'open-status':
        windows.show('status', { profile: action.profile });
        return;
      case 'open-preferences':
        windows.show('preferences', { section: action.section });
        return;
      case 'toggle-login':
        void setLogin(!host.login().openAtLogin);
        return;
      case 'open-login-settings':
        void shell.openExternal(LOGIN_ITEMS_URL);
        return;
      case 'open-fda-settings':
        void shell.openExternal(FDA_SETTINGS_URL);
        return;
      case 'quit':
        app.quit();
        return;
    }
  };

  const tray = new TrayController({ appRoot, platform, act });
  const onSnapshot = (s: Parameters<typeof appSnapshot>[1]) => tray.update(appSnapshot(host, s));
  engine.on('snapshot', onSnapshot);
  const onStarted = () => void reprobe();
  engine.on('run-started', onStarted);
  const unnotify = await wireNotifications(engine, (profile) => void windows.show('status', { profile }), { launchedAt });
  const unhold = holdWhileRunning(engine);

  // A backup that does not start after a reboot does not run: the first launch turns Open at Login on.
  if (loginAtFirstLaunch(appSettings(engine.config).openAtLogin) && engine.configFileErrors().length === 0) await setLogin(true);
  tray.update(appSnapshot(host, await engine.snapshot()));
  tray.flush();

  let disposed: Promise<void> | null = null;
  const dispose = () =>
    (disposed ??= (async () => {
      engine.off('snapshot', onSnapshot);
      engine.off('run-started', onStarted);
      unnotify();
      unregister();
      windows.closeAll();
      tray.destroy();
      await shellState.dispose();
      unhold();
    })());

  const requestQuit = async (): Promise<boolean> => {
    const running = engine.config.profiles.filter((p) => engine.isRunning(p.id));
    if (running.length > 0) {
      const names = running.map((p) => p.name ?? p.id).join(', ');
      const { response } = await dialog.showMessageBox({
        type: 'question',
        message: `Stop the backup of ${names} and quit?`,
        detail: 'borg keeps what it has saved so far as a checkpoint; the next backup continues from there.',
        buttons: ['Stop Backup and Quit', 'Keep Backing Up'],
        defaultId: 1,
        cancelId: 1,
      });
      if (response !== 0) return false;
      // SIGINT, as the CLI does on Ctrl-C: borg writes a checkpoint and exits; then the locks go.
      await engine.cancelAll();
    }
    await dispose();
    return true;
  };

  // The lifecycle: closing windows never quits; Quit asks first while a backup runs.
  let quitting = false;
  app.on('window-all-closed', () => {});
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    void requestQuit().then((may) => {
      if (!may) return;
      quitting = true;
      app.quit();
    });
  });
  app.on('second-instance', () => void windows.show('status'));
  if (platform === 'darwin') app.dock?.hide();

  const result: DandelionApp = { engine, supervisor, tray, windows, host, act, requestQuit, dispose };
  if (process.env.DANDELION_TEST_HOOKS === '1') {
    (globalThis as { __dandelion?: unknown }).__dandelion = {
      tray: () => tray.view,
      openStatus: async () => void windows.show('status'),
    };
  }
  return result;
}

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  // Chromium's own files (caches, local storage) must not mix with the engine's config folder.
  app.setPath('userData', electronUserData(app.getPath('appData')));
  app.dock?.hide();
  void app.whenReady().then(() =>
    startApp().catch((err: unknown) => {
      dialog.showErrorBox('Dandelion could not start', err instanceof Error ? err.message : String(err));
      app.exit(1);
    }),
  );
}

if (process.versions.electron) main();
