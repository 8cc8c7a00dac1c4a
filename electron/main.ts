/**
 * The menu-bar app's main process: thin glue between Electron and the engine. The supervisor owns
 * or follows the schedules; every decision the user sees (icon, menu, notifications, Full Disk
 * Access, Open at Login) is a pure function in src/app/; the windows talk to the engine only
 * through the contract in src/ipc/. This file wires them together and runs the app's lifecycle.
 */
import { existsSync } from 'node:fs';
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
import { firstLaunchWindow, loginAnswer, loginQuestion } from '../src/app/login.js';
import { launchCommand, xdgAutostart } from '../src/app/autostart.js';
import { electronUserData } from '../src/app/dirs.js';
import { wirePower, holdWhileRunning } from './power.js';
import { TrayController } from './tray.js';
import { WindowManager } from './windows.js';
import { registerIpc } from './ipc.js';
import { wireNotifications } from './notify.js';
import { electronHost } from './host.js';

export { wirePower } from './power.js';

/**
 * The app's root (package.json, assets/, dist-renderer/): the nearest folder above this file with a
 * package.json, whether it runs built (dist-electron/electron/main.js, in app.asar when packaged) or
 * from source in the tests (electron/main.ts).
 */
export const APP_ROOT = appRootAbove(path.dirname(fileURLToPath(import.meta.url)));

function appRootAbove(dir: string): string {
  for (let d = dir; path.dirname(d) !== d; d = path.dirname(d)) if (existsSync(path.join(d, 'package.json'))) return d;
  return path.resolve(dir, '..', '..');
}

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
  /** The macOS version the menu is worded for (default: Electron's process.getSystemVersion()). */
  systemVersion?: string;
  secrets?: SecretStore;
  takeoverPollMs?: number;
  /** The executable running the app (process.execPath): what Open at Login starts on Linux. */
  execPath?: string;
}

export interface DandelionApp {
  engine: Engine;
  supervisor: Supervisor;
  tray: TrayController;
  windows: WindowManager;
  host: Host;
  /** The first launch's Open at Login question, settled when it was answered and the answer saved (at once when nothing was asked). */
  firstLaunch: Promise<void>;
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
  const autostart =
    platform === 'linux'
      ? xdgAutostart(
          launchCommand({
            packaged: app.isPackaged,
            execPath: opts.execPath ?? process.execPath,
            appPath: appRoot,
            appImage: process.env.APPIMAGE,
          }),
        )
      : null;
  // Open at Login stays on, but an entry of ours that starts something else (an older Dandelion's
  // Exec without the app) is made to start this app.
  if (autostart?.refresh()) log('The login entry now starts this copy of Dandelion.');
  const host = electronHost({
    platform,
    fullDiskAccess: () => fda,
    openWindow: (w, o) => void windows.show(w, o),
    autostart,
  });
  const windows: WindowManager = new WindowManager({
    engine,
    rendererDir,
    preload: path.join(rendererDir, 'preload.cjs'),
    app: (s) => appSnapshot(host, s),
  });
  const unregister = registerIpc(windows, createDispatcher({ engine, host }));

  // Saves of Open at Login still writing config.json: quitting waits for them.
  const saving = new Set<Promise<void>>();
  const setLogin = (on: boolean): Promise<void> => {
    const save = (async () => {
      host.setLogin(on);
      await rememberLogin(engine, on);
      engine.changed();
    })().finally(() => saving.delete(save));
    saving.add(save);
    return save;
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
      case 'skip':
        // A run here stops at once; one of the daemon or a CLI run is asked to stop through locks/.
        void engine.stop(action.profile, action.type);
        return;
      case 'pause':
        void engine.pause(action.choice);
        return;
      case 'resume':
        void engine.resume();
        return;
      case 'open-status':
        windows.show('status', { profile: action.profile });
        return;
      case 'open-preferences':
        windows.show('preferences', { section: action.section });
        return;
      case 'open-browse':
        windows.show('browse', { profile: action.profile });
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

  const tray = new TrayController({
    appRoot,
    platform,
    act,
    locale: app.getSystemLocale(),
    systemVersion: opts.systemVersion ?? (process as { getSystemVersion?: () => string }).getSystemVersion?.(),
  });
  const onSnapshot = (s: Parameters<typeof appSnapshot>[1]) => tray.update(appSnapshot(host, s));
  engine.on('snapshot', onSnapshot);
  const onStarted = () => void reprobe();
  engine.on('run-started', onStarted);
  // A run's end is drawn at once, not after the snapshot interval and the tray's throttle: the menu
  // must not still say "Backing up now" beside the notification that the backup ended.
  const onFinished = () =>
    void engine.snapshot().then(
      (s) => {
        tray.update(appSnapshot(host, s));
        tray.flush();
      },
      () => {},
    );
  engine.on('run-finished', onFinished);
  const unnotify = await wireNotifications(engine, (profile) => void windows.show('status', { profile }), {
    launchedAt,
    locale: app.getSystemLocale(),
  });
  const unhold = holdWhileRunning(engine);

  tray.update(appSnapshot(host, await engine.snapshot()));
  tray.flush();

  let disposed: Promise<void> | null = null;
  const dispose = () =>
    (disposed ??= (async () => {
      engine.off('snapshot', onSnapshot);
      engine.off('run-started', onStarted);
      engine.off('run-finished', onFinished);
      unnotify();
      unregister();
      windows.closeAll();
      tray.destroy();
      await Promise.allSettled([...saving]);
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

  // A backup that does not start after a reboot does not run, so the first launch asks for Open at
  // Login (yes by default) and changes nothing, neither the login item nor config.json, until the
  // user answers; the answer is then saved like any setting. Asked as a sheet of the first window.
  const askLogin = async (): Promise<void> => {
    const question = loginQuestion(appSettings(engine.config).openAtLogin, engine.configFileErrors().length > 0, platform);
    if (!question) return;
    const first = firstLaunchWindow(engine.config.profiles.length);
    const win = windows.show(first.window, { section: first.section });
    if (!win.isVisible()) {
      await new Promise<void>((shown) => {
        win.once('ready-to-show', () => shown());
        win.once('closed', () => shown());
      });
    }
    if (platform === 'darwin') app.focus({ steal: true });
    const { response } = await (win.isDestroyed() ? dialog.showMessageBox(question) : dialog.showMessageBox(win, question));
    // Chosen meanwhile with the menu or in the settings window, or quit: that stands.
    if (disposed || appSettings(engine.config).openAtLogin !== undefined) return;
    await setLogin(loginAnswer(response));
  };
  const firstLaunch = askLogin().catch((err: unknown) => log(`Open at Login could not be set: ${(err as Error).message}`));

  const result: DandelionApp = { engine, supervisor, tray, windows, host, firstLaunch, act, requestQuit, dispose };
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
