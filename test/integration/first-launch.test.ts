/**
 * The first launch of the real main process (electron/main.ts) against the recording fake of
 * `electron`: it asks before it changes anything. A hand-written config.json stays byte for byte
 * and mode for mode until the user answers; the answer turns the login item (or on Linux the XDG
 * autostart entry, whose Exec starts this app) on or off and is saved, keeping the file's mode.
 */
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { ROOT, sandbox, type Sandbox } from '../helpers/env.js';
import { readExec } from '../helpers/desktop-entry.js';
import { xdgAutostart } from '../../src/app/autostart.js';

vi.mock('electron', () => import('../fakes/electron/index.js'));
const { fake, app, dialog } = await import('../fakes/electron/index.js');
const { startApp, APP_ROOT } = await import('../../electron/main.js');
type App = Awaited<ReturnType<typeof startApp>>;

let sb: Sandbox;
let running: App | null = null;
let file: string;
const savedXdg = process.env.XDG_CONFIG_HOME;

/** Written by a person: tabs, their own key order, no `version`, no final newline, readable by others. */
const HAND_WRITTEN = `{
\t"profiles": [ { "name": "Documents", "id": "docs",
\t\t"repository": "/srv/backup/docs", "encryption": "none",
\t\t"sources": ["/home/me/Documents"], "schedule": "0 12 * * *" } ]
}`;

async function start(platform: NodeJS.Platform = 'darwin', execPath?: string): Promise<App> {
  running = await startApp({
    configDir: sb.configDir,
    log: () => {},
    platform,
    appRoot: APP_ROOT,
    fdaProbe: async () => 'granted',
    secrets: new MemorySecretStore(),
    takeoverPollMs: 200,
    execPath,
  });
  return running;
}

async function stop(): Promise<void> {
  await running?.dispose();
  running = null;
  fake.reset();
}

/** The answer the next question will get, given by the test when it wants. */
function pendingAnswer(): (button: number) => void {
  let answer!: (button: number) => void;
  dialog.answers.push(new Promise<number>((resolve) => (answer = resolve)));
  return answer;
}

const questions = () => dialog.calls.filter((c) => c.kind === 'message' && c.options.message === 'Open Dandelion at login?');
const mode = async (f: string) => (await fs.stat(f)).mode & 0o777;
const settle = () => new Promise((r) => setTimeout(r, 600));

async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeEach(async () => {
  fake.reset();
  sb = await sandbox('dandelion-first-launch-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  process.env.XDG_CONFIG_HOME = path.join(sb.home, '.config');
  file = path.join(sb.configDir, 'config.json');
});

afterEach(async () => {
  await stop();
  if (savedXdg === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = savedXdg;
  await sb.cleanup();
});

describe('the first launch', () => {
  it('leaves a hand-written 0644 config.json as it is, asks, and only the answer is saved, in a file still 0644', async () => {
    await fs.writeFile(file, HAND_WRITTEN);
    await fs.chmod(file, 0o644);
    const answer = pendingAnswer();
    await start('darwin');

    await waitFor('the question', () => questions().length === 1);
    const [q] = questions();
    expect(q!.options).toMatchObject({ buttons: ['Open at Login', 'Not Now'], defaultId: 0 });
    // A sheet of the status window, opened for it (a backup is set up): a menu-bar app is not missed.
    expect(q!.window?.isVisible()).toBe(true);
    expect(q!.window?.file).toMatch(/status\.html$/);
    // While the question is open (and a while after launch): nothing changed.
    await settle();
    expect(await fs.readFile(file, 'utf8')).toBe(HAND_WRITTEN);
    expect(await mode(file)).toBe(0o644);
    expect(app.loginItemCalls).toEqual([]);
    expect(fake.menuItem('Open at Login').checked).toBe(false);

    answer(0);
    await running!.firstLaunch;
    expect(app.loginItemCalls).toEqual([{ openAtLogin: true }]);
    const saved = JSON.parse(await fs.readFile(file, 'utf8'));
    expect(saved.app).toEqual({ openAtLogin: true });
    expect(saved.profiles).toEqual(JSON.parse(HAND_WRITTEN).profiles);
    // The one setting was added in the person's own layout; nothing else of their text changed.
    expect(await fs.readFile(file, 'utf8')).toBe(
      HAND_WRITTEN.replace('{\n\t"profiles"', '{\n\t"app": { "openAtLogin": true },\n\t"profiles"'),
    );
    expect(await mode(file)).toBe(0o644);
    await waitFor('the menu to follow', () => fake.menuItem('Open at Login').checked === true);

    // The next launch asks nothing and writes nothing.
    await stop();
    const before = await fs.readFile(file, 'utf8');
    await start('darwin');
    await running!.firstLaunch;
    await settle();
    expect(questions()).toEqual([]);
    expect(app.loginItemCalls).toEqual([]);
    expect(await fs.readFile(file, 'utf8')).toBe(before);
  });

  it('"Not Now" leaves the login item off and is remembered, so it is not asked again', async () => {
    await fs.writeFile(file, HAND_WRITTEN);
    await fs.chmod(file, 0o640);
    dialog.answers.push(1);
    await start('darwin');
    await running!.firstLaunch;
    expect(questions()).toHaveLength(1);
    expect(app.loginItem.openAtLogin).toBe(false);
    expect(JSON.parse(await fs.readFile(file, 'utf8')).app).toEqual({ openAtLogin: false });
    expect(await mode(file)).toBe(0o640);
    await stop();
    await start('darwin');
    await running!.firstLaunch;
    expect(questions()).toEqual([]);
  });

  it('with no config.json: creates none at launch; the answer creates it, readable by its owner only', async () => {
    const answer = pendingAnswer();
    await start('darwin');
    await waitFor('the question', () => questions().length === 1);
    // Nothing set up yet: asked over the setup assistant.
    expect(questions()[0]!.window?.file).toMatch(/preferences\.html$/);
    expect(running!.windows.outbox('preferences')).toBeTruthy();
    await settle();
    expect(existsSync(file)).toBe(false);
    answer(0);
    await running!.firstLaunch;
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({ app: { openAtLogin: true }, profiles: [] });
    expect(await mode(file)).toBe(0o600);
  });

  it('a choice made in the menu while the question is open stands', async () => {
    await fs.writeFile(file, HAND_WRITTEN);
    const answer = pendingAnswer();
    await start('darwin');
    await waitFor('the question', () => questions().length === 1);
    fake.click('Open at Login');
    await waitFor('the menu choice saved', () => running!.engine.config.app?.openAtLogin === true);
    answer(1);
    await running!.firstLaunch;
    expect(app.loginItem.openAtLogin).toBe(true);
    expect(JSON.parse(await fs.readFile(file, 'utf8')).app).toEqual({ openAtLogin: true });
  });

  it('does not ask while config.json has errors, and leaves the broken file alone', async () => {
    const broken = '{ "profiles": [ { "id": "docs", } ';
    await fs.writeFile(file, broken);
    await fs.chmod(file, 0o644);
    await start('darwin');
    await running!.firstLaunch;
    await settle();
    expect(questions()).toEqual([]);
    expect(app.loginItemCalls).toEqual([]);
    expect(await fs.readFile(file, 'utf8')).toBe(broken);
    expect(await mode(file)).toBe(0o644);
  });
});

describe('Open at Login on Linux', () => {
  it('writes no autostart entry before the answer; then one whose Exec starts this app (Electron with the app folder)', async () => {
    // Electron itself cannot run here: a stand-in at a path with spaces and a dollar records how it was started.
    const bin = path.join(sb.dir, 'Electron $dev "build"');
    await fs.mkdir(bin);
    const electron = path.join(bin, 'electron');
    const record = path.join(sb.dir, 'argv.json');
    await fs.writeFile(
      electron,
      `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify(process.argv.slice(2)));\n`,
      { mode: 0o755 },
    );
    await fs.writeFile(file, HAND_WRITTEN);
    await fs.chmod(file, 0o644);
    const entry = path.join(sb.home, '.config', 'autostart', 'dandelion.desktop');
    const answer = pendingAnswer();
    await start('linux', electron);
    await waitFor('the question', () => questions().length === 1);
    await settle();
    expect(existsSync(entry)).toBe(false);
    expect(await fs.readFile(file, 'utf8')).toBe(HAND_WRITTEN);

    answer(0);
    await running!.firstLaunch;
    expect(running!.host.login().openAtLogin).toBe(true);
    expect(await mode(file)).toBe(0o644);
    const argv = readExec(await fs.readFile(entry, 'utf8'));
    // The program is the one running the app, and its argument the app: its package.json names the built main process.
    expect(argv).toEqual([electron, ROOT]);
    const pkg = JSON.parse(await fs.readFile(path.join(argv[1]!, 'package.json'), 'utf8')) as { name: string; main: string };
    expect(pkg.name).toBe('dandelion');
    expect(existsSync(path.join(argv[1]!, pkg.main))).toBe(true);
    expect(path.join(argv[1]!, pkg.main)).toBe(path.join(ROOT, 'dist-electron', 'electron', 'main.js'));
    // Started as the entry says, the program gets exactly the app folder.
    await promisify(execFile)(argv[0]!, argv.slice(1));
    expect(JSON.parse(await fs.readFile(record, 'utf8'))).toEqual([ROOT]);

    // Unticked in the menu: the entry goes.
    fake.click('Open at Login');
    await waitFor('the entry removed and the choice saved', () => !existsSync(entry) && running!.engine.config.app?.openAtLogin === false);
  });

  it("makes an older Dandelion's entry (node without the app) start this app, without asking again", async () => {
    const entry = path.join(sb.home, '.config', 'autostart', 'dandelion.desktop');
    await fs.mkdir(path.dirname(entry), { recursive: true });
    await fs.writeFile(
      entry,
      '[Desktop Entry]\nType=Application\nName=Dandelion\nComment=Backups with borg\nExec="/usr/bin/node"\nX-GNOME-Autostart-enabled=true\n',
    );
    const text = JSON.stringify({ app: { openAtLogin: true }, profiles: [] });
    await fs.writeFile(file, text);
    const electron = path.join(sb.dir, 'electron');
    await start('linux', electron);
    await running!.firstLaunch;
    expect(questions()).toEqual([]);
    expect(readExec(await fs.readFile(entry, 'utf8'))).toEqual([electron, ROOT]);
    expect(await fs.readFile(file, 'utf8')).toBe(text);
  });
});

// process.umask() cannot be set in the worker threads Stryker runs the unit tests in: here, in a forked test process.
describe('the autostart file', () => {
  it('is readable by the desktop session (0644) whatever the umask, and turning it off twice is no error', async () => {
    const file = path.join(sb.dir, 'dandelion.desktop');
    const a = xdgAutostart(['/opt/D/dandelion'], file);
    const old = process.umask(0);
    try {
      a.set(true);
    } finally {
      process.umask(old);
    }
    expect(await mode(file)).toBe(0o644);
    a.set(false);
    expect(() => a.set(false)).not.toThrow();
  });
});
