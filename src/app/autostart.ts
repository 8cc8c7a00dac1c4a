/**
 * Open at Login on Linux, where Electron has no login item: an XDG autostart entry
 * (~/.config/autostart/dandelion.desktop) that desktop sessions start at login.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function autostartFile(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(xdg, 'autostart', 'dandelion.desktop');
}

/** The desktop entry; `exec` is the AppImage or the installed binary. Quoted as the spec asks. */
export function autostartEntry(exec: string): string {
  const quoted = `"${exec.replace(/(["`$\\])/g, '\\$1')}"`;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Dandelion',
    'Comment=Backups with borg',
    `Exec=${quoted}`,
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function xdgAutostart(exec: string, file = autostartFile()): { get(): boolean; set(on: boolean): void } {
  return {
    get: () => fs.existsSync(file),
    set: (on) => {
      if (!on) return fs.rmSync(file, { force: true });
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, autostartEntry(exec), { mode: 0o644 });
    },
  };
}
