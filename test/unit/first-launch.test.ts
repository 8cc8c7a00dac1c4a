/**
 * The first launch's Open at Login question, and the Linux autostart entry's Exec line: built from
 * the command that starts this app, and read back here as the Desktop Entry Specification reads it
 * (and, where GLib's `gio` is installed, started by GLib itself).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { autostartEntry, autostartFile, execLine, launchCommand, staleEntry, xdgAutostart } from '../../src/app/autostart.js';
import { firstLaunchWindow, loginAnswer, loginQuestion } from '../../src/app/login.js';
import { readExec } from '../helpers/desktop-entry.js';

describe('the command that starts this app', () => {
  it('is the Electron binary with the app folder in development, not Electron (or node) alone', () => {
    expect(launchCommand({ packaged: false, execPath: '/src/node_modules/electron/dist/electron', appPath: '/src' })).toEqual([
      '/src/node_modules/electron/dist/electron',
      '/src',
    ]);
  });
  it('is the packaged executable alone, or the AppImage (not its temporary mount) when it runs from one', () => {
    expect(launchCommand({ packaged: true, execPath: '/opt/Dandelion/dandelion', appPath: '/opt/Dandelion/resources/app.asar' })).toEqual([
      '/opt/Dandelion/dandelion',
    ]);
    expect(
      launchCommand({
        packaged: true,
        execPath: '/tmp/.mount_DandelXYZ/dandelion',
        appPath: '/tmp/.mount_DandelXYZ/resources/app.asar',
        appImage: '/home/me/Apps/Dandelion-0.1.0.AppImage',
      }),
    ).toEqual(['/home/me/Apps/Dandelion-0.1.0.AppImage']);
  });
});

describe('the Exec line of the autostart entry', () => {
  const awkward = [
    ['/usr/lib/dandelion/dandelion'],
    ['/opt/My Apps/Dandelion/dandelion', '/home/me/src/dandelion'],
    ['/opt/Dandelion "beta"/$HOME/`id`/dandelion'],
    ['/home/me/back\\slash/electron', "/home/me/it's here"],
    ['/home/me/100% sure/electron', '/home/me/a%%b %u'],
    ['/home/me/tab\there/electron', '/home/me/line\nbreak', '/home/me/carriage\rreturn', '/home/me/ü – Ünïcödé'],
    ['/x/~user/a;b|c&d>e<f*g?h#i(j)'],
  ];
  for (const argv of awkward) {
    it(`reads back as the same argv per the specification: ${JSON.stringify(argv)}`, () => {
      expect(readExec(autostartEntry(argv))).toEqual(argv);
    });
  }

  it('writes a literal backslash inside quotes as four, as the specification says', () => {
    expect(execLine(['/a\\b'])).toBe('"/a\\\\\\\\b"');
    expect(execLine(['/a b', '$x'])).toBe('"/a b" "\\\\$x"');
  });

  it('refuses a program that is not an absolute path (an autostart entry has no PATH to speak of)', () => {
    expect(() => execLine([])).toThrow(/absolute/);
    expect(() => execLine(['electron', '.'])).toThrow(/absolute/);
  });

  it('is one line of a [Desktop Entry] group of type Application', () => {
    const entry = autostartEntry(['/opt/D/dandelion', '/line\nbreak']);
    expect(entry).toMatch(/^\[Desktop Entry\]\nType=Application\nName=Dandelion\n/);
    expect(entry.split('\n').filter((l) => l.startsWith('Exec='))).toHaveLength(1);
  });

  const gio = spawnSync('gio', ['--version']).status === 0;
  it.skipIf(!gio)('is started by GLib (gio launch) with exactly the argv written, spaces, quotes and dollars included', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dandelion autostart $x "q" '));
    try {
      const out = path.join(dir, 'argv.json');
      const program = path.join(dir, 'My Electron `1`', 'electron');
      fs.mkdirSync(path.dirname(program));
      fs.writeFileSync(
        program,
        `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.argv.slice(1)));\n`,
        {
          mode: 0o755,
        },
      );
      const argv = [program, path.join(dir, "it's the app"), '100%', 'back\\slash'];
      const file = path.join(dir, 'dandelion.desktop');
      fs.writeFileSync(file, autostartEntry(argv));
      execFileSync('gio', ['launch', file], { stdio: 'pipe', timeout: 10_000 });
      const deadline = Date.now() + 10_000;
      while (!fs.existsSync(out) && Date.now() < deadline) spawnSync('sleep', ['0.05']);
      expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(argv);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the autostart file', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dandelion-autostart-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lives in $XDG_CONFIG_HOME/autostart when that is an absolute path, else in ~/.config/autostart', () => {
    expect(autostartFile({ XDG_CONFIG_HOME: '/x/conf' })).toBe('/x/conf/autostart/dandelion.desktop');
    expect(autostartFile({ XDG_CONFIG_HOME: 'relative/conf' })).toBe(path.join(os.homedir(), '.config', 'autostart', 'dandelion.desktop'));
    expect(autostartFile({})).toBe(path.join(os.homedir(), '.config', 'autostart', 'dandelion.desktop'));
  });

  it('exists exactly while Open at Login is on, and starts the command it was given', () => {
    const file = path.join(dir, 'autostart', 'dandelion.desktop');
    const a = xdgAutostart(['/opt/Dandelion/dandelion', '/opt/Dandelion app'], file);
    expect(a.get()).toBe(false);
    a.set(true);
    expect(a.get()).toBe(true);
    expect(readExec(fs.readFileSync(file, 'utf8'))).toEqual(['/opt/Dandelion/dandelion', '/opt/Dandelion app']);
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    a.set(false);
    expect(a.get()).toBe(false);
    expect(fs.existsSync(file)).toBe(false);
    expect(() => a.set(false)).not.toThrow();
    expect(a.refresh()).toBe(false);
    expect(fs.existsSync(file)).toBe(false);
  });

  /** What Dandelion wrote before: the program alone, in a different quoting. */
  const OLD =
    '[Desktop Entry]\nType=Application\nName=Dandelion\nComment=Backups with borg\nExec="/usr/bin/node"\nX-GNOME-Autostart-enabled=true\n';

  it("rewrites an entry of ours that starts something else (an older Dandelion's node without the app)", () => {
    const file = path.join(dir, 'dandelion.desktop');
    fs.writeFileSync(file, OLD);
    const argv = ['/opt/electron/electron', '/src/dandelion'];
    expect(staleEntry(OLD, argv)).toBe(true);
    expect(xdgAutostart(argv, file).refresh()).toBe(true);
    expect(readExec(fs.readFileSync(file, 'utf8'))).toEqual(argv);
    // Once current, left alone.
    expect(xdgAutostart(argv, file).refresh()).toBe(false);
  });

  it('leaves alone an entry the person changed beyond its Exec line', () => {
    const edited = OLD.replace('X-GNOME-Autostart-enabled=true\n', 'X-GNOME-Autostart-enabled=true\nX-GNOME-Autostart-Delay=30\n');
    expect(staleEntry(edited, ['/opt/D/dandelion'])).toBe(false);
    expect(staleEntry('not an entry', ['/opt/D/dandelion'])).toBe(false);
    expect(staleEntry(autostartEntry(['/opt/D/dandelion']), ['/opt/D/dandelion'])).toBe(false);
  });
});

describe('the first launch question', () => {
  it('asks "Open Dandelion at login?" with yes as the default, one click, when the setting was never saved', () => {
    const q = loginQuestion(undefined, false, 'darwin')!;
    expect(q.message).toBe('Open Dandelion at login?');
    expect(q.buttons[q.defaultId]).toBe('Open at Login');
    expect(loginAnswer(q.defaultId)).toBe(true);
    expect(loginAnswer(q.cancelId)).toBe(false);
    expect(q.buttons[q.cancelId]).toBe('Not Now');
    // It names the menu item that changes it later, and no command.
    expect(q.detail).toContain('Open at Login');
    expect(q.detail).not.toMatch(/`|dandelion \w/);
  });

  it('says where to change it later: the menu in the menu bar on a Mac, the Dandelion menu elsewhere', () => {
    expect(loginQuestion(undefined, false, 'darwin')!.detail).toContain('Open at Login in the Dandelion menu in the menu bar.');
    expect(loginQuestion(undefined, false, 'linux')!.detail).toContain('Open at Login in the Dandelion menu.');
    expect(loginQuestion(undefined, false, 'linux')).toMatchObject({ type: 'question', buttons: ['Open at Login', 'Not Now'] });
  });

  it('asks nothing once the answer was saved, either way', () => {
    expect(loginQuestion(true, false, 'darwin')).toBeNull();
    expect(loginQuestion(false, false, 'linux')).toBeNull();
  });

  it('waits while config.json has errors: the answer could not be kept, so a later launch asks', () => {
    expect(loginQuestion(undefined, true, 'darwin')).toBeNull();
    expect(loginQuestion(undefined, false, 'linux')).not.toBeNull();
  });

  it('is asked over the setup assistant while nothing is set up, else over the status window', () => {
    expect(firstLaunchWindow(0)).toEqual({ window: 'preferences', section: 'new-profile' });
    expect(firstLaunchWindow(2)).toEqual({ window: 'status' });
  });
});
