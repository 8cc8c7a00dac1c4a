/**
 * Open at Login on Linux, where Electron has no login item: an XDG autostart entry
 * (~/.config/autostart/dandelion.desktop) that desktop sessions start at login. Its Exec line is
 * the command that starts this app, quoted as the Desktop Entry Specification asks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function autostartFile(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(xdg, 'autostart', 'dandelion.desktop');
}

export interface LaunchFacts {
  /** Electron's app.isPackaged. */
  packaged: boolean;
  /** process.execPath: the app's own executable when packaged, the Electron binary in development. */
  execPath: string;
  /** The folder with the app's package.json (what `electron <folder>` starts) in development. */
  appPath: string;
  /** $APPIMAGE: the AppImage the app runs from; execPath is then inside its temporary mount. */
  appImage?: string;
}

/**
 * The argv that starts this app again: the AppImage, the packaged executable, or in development
 * the Electron binary with the app's folder (Electron alone would open its default app).
 */
export function launchCommand(f: LaunchFacts): string[] {
  if (f.appImage && path.isAbsolute(f.appImage)) return [f.appImage];
  if (f.packaged) return [f.execPath];
  return [f.execPath, f.appPath];
}

/**
 * One argument of an Exec key. Each is quoted (always allowed, needed for spaces and the reserved
 * characters); inside quotes `"`, `` ` ``, `$` and `\` take a backslash. Then the rules of a string
 * value apply on top (a backslash is written `\\`, so a literal one in a quoted argument is four),
 * and `%` is written `%%`, as a field code would otherwise start there. (GLib looks for the
 * program before it reads `%%`, so a program whose path has a `%` is not found there; installers
 * put none in such a place.)
 */
export function execArgument(arg: string): string {
  const quoted = `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
  return quoted.replace(/[\\\n\t\r]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r' })[c]!).replace(/%/g, '%%');
}

/** The Exec value for an argv (the program and its arguments, no field codes). */
export function execLine(argv: readonly string[]): string {
  if (argv.length === 0 || !path.isAbsolute(argv[0]!)) throw new Error('an autostart entry needs the absolute path of the program');
  return argv.map(execArgument).join(' ');
}

/** The desktop entry that starts `argv` at login. */
export function autostartEntry(argv: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Dandelion',
    'Comment=Backups with borg',
    `Exec=${execLine(argv)}`,
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

const EXEC = /^Exec=.*$/m;

/**
 * Whether an entry is Dandelion's own with another Exec line (an older Dandelion wrote the program
 * without the app, or the app has moved), so it is rewritten to start this app. An entry the person
 * changed elsewhere is theirs and left alone.
 */
export function staleEntry(text: string, argv: readonly string[]): boolean {
  const current = autostartEntry(argv);
  return text !== current && EXEC.test(text) && text.replace(EXEC, '') === current.replace(EXEC, '');
}

export interface Autostart {
  get(): boolean;
  set(on: boolean): void;
  /** Rewrites an entry of ours that starts something else (see staleEntry); true when it did. */
  refresh(): boolean;
}

export function xdgAutostart(argv: readonly string[], file = autostartFile()): Autostart {
  const write = () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, autostartEntry(argv), { mode: 0o644 });
  };
  return {
    get: () => fs.existsSync(file),
    set: (on) => (on ? write() : fs.rmSync(file, { force: true })),
    refresh: () => {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        return false;
      }
      if (!staleEntry(text, argv)) return false;
      write();
      return true;
    },
  };
}
