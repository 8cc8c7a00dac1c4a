/**
 * What only the app can do for the windows (the `Host` of src/ipc/handlers.ts): dialogs, opening a
 * file or System Settings, the login item, and the Full Disk Access state the app last probed.
 */
import os from 'node:os';
import { app, dialog, shell, BrowserWindow, type OpenDialogOptions } from 'electron';
import type { Host } from '../src/ipc/handlers.js';
import type { FdaState, LoginState } from '../src/ipc/contract.js';
import { loginStateFrom } from '../src/app/login.js';
import type { WindowKind } from '../src/ipc/sender.js';

export interface HostOptions {
  platform: NodeJS.Platform;
  fullDiskAccess(): FdaState;
  openWindow(window: WindowKind, opts: { profile?: string; section?: string }): void;
  /** Where Open at Login is kept off macOS (an XDG autostart entry on Linux); null = the OS login item. */
  autostart?: { get(): boolean; set(on: boolean): void } | null;
}

export function electronHost(opts: HostOptions): Host {
  const parent = () => BrowserWindow.getFocusedWindow?.() ?? undefined;
  /** An open panel, as a sheet of the focused window when there is one; null when cancelled. */
  const pick = async (options: OpenDialogOptions): Promise<string | null> => {
    const w = parent();
    const full = { ...options, defaultPath: options.defaultPath ?? os.homedir() };
    const r = await (w ? dialog.showOpenDialog(w, full) : dialog.showOpenDialog(full));
    return r.canceled ? null : (r.filePaths[0] ?? null);
  };
  const login = (): LoginState =>
    opts.autostart ? { openAtLogin: opts.autostart.get(), status: 'unknown' } : loginStateFrom(app.getLoginItemSettings(), opts.platform);
  return {
    platform: opts.platform,
    version: app.getVersion(),
    fullDiskAccess: opts.fullDiskAccess,
    login,
    setLogin: (openAtLogin) => {
      if (opts.autostart) opts.autostart.set(openAtLogin);
      else app.setLoginItemSettings({ openAtLogin });
      return login();
    },
    pickFolder: ({ title, defaultPath }) => pick({ title, defaultPath, properties: ['openDirectory', 'createDirectory'] }),
    pickFile: ({ title, defaultPath, hidden }) =>
      pick({ title, defaultPath, properties: hidden ? ['openFile', 'showHiddenFiles'] : ['openFile'] }),
    saveFile: async ({ title, defaultPath }) => {
      const w = parent();
      const r = await (w ? dialog.showSaveDialog(w, { title, defaultPath }) : dialog.showSaveDialog({ title, defaultPath }));
      return r.canceled ? null : (r.filePath ?? null);
    },
    openPath: async (file) => (await shell.openPath(file)) === '',
    openExternal: (url) => shell.openExternal(url),
    openWindow: opts.openWindow,
    showItemInFolder: (file) => shell.showItemInFolder(file),
  };
}
