/**
 * The main process's side of the contract, without Electron: each call validated against its
 * schema (with the profiles that exist now), then answered from the engine or from the `Host` (what
 * only the app can do: dialogs, opening files and System Settings, the login item). The Electron
 * glue registers `dispatch` with ipcMain; the browser tests bridge a page to the same function.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ActivityLine, Engine, EngineSnapshot, OpRecord } from '../engine.js';
import { opLine } from '../activity.js';
import { failed, guard, ok, type Outcome } from '../engine/outcome.js';
import { doctor, doctorDraft } from '../doctor.js';
import { formatPath } from '../profiles/schema.js';
import { configRevision, stripBom, type SaveConflict } from '../profiles/store.js';
import { recoverConfig } from '../profiles/recover.js';
import { withAppSetting } from '../profiles/edit-text.js';
import { cronError } from '../schedule/cron.js';
import { nextSlot } from '../schedule/due.js';
import { scanHostKeys, trustHostKey } from '../ssh/host-keys.js';
import { knownHostsFile } from '../paths.js';
import { argsSchemas, type AppSnapshot, type CallResults, type ConfigView, type FdaState, type LoginState } from './contract.js';
import { isCallName, type CallName } from './names.js';
import type { WindowKind } from './sender.js';
import type { Diagnosis } from '../diagnosis.js';
import { diagnosisFor } from '../messages.js';
import { FDA_SETTINGS_URL, LOGIN_ITEMS_URL } from '../app/full-disk-access.js';
import { UrlSeal } from '../monitor/seal.js';
import { randomUUID } from 'node:crypto';
import { readImport } from '../import/read.js';
import { machineContext } from '../import/context.js';
import { applyImport } from '../import/apply.js';
import { redactDeep } from '../import/present.js';
import type { ImportResult } from '../import/model.js';

const keychainWords = (platform: NodeJS.Platform) => (platform === 'darwin' ? 'the Keychain' : 'the keyring');

/** Larger than any script, plist or configuration a person writes: anything bigger is not one. */
const MAX_IMPORT_BYTES = 1_000_000;

/** What only the app can do; the tests pass a recording fake. */
export interface Host {
  platform: NodeJS.Platform;
  version: string;
  fullDiskAccess(): FdaState;
  login(): LoginState;
  setLogin(openAtLogin: boolean): LoginState;
  pickFolder(opts: { title?: string; defaultPath?: string }): Promise<string | null>;
  pickFile(opts: { title?: string; defaultPath?: string; hidden?: boolean }): Promise<string | null>;
  saveFile(opts: { title?: string; defaultPath?: string }): Promise<string | null>;
  /** Opens a file in its default app; false when it could not. */
  openPath(file: string): Promise<boolean>;
  openExternal(url: string): Promise<void>;
  openWindow(window: WindowKind, opts: { profile?: string; section?: string }): void;
  /** Shows the file or folder selected in a Finder window (shell.showItemInFolder). */
  showItemInFolder(file: string): void;
}

export interface HandlerDeps {
  engine: Engine;
  host: Host;
  /** Called for `ready`: the window that sent it gets its queued events (see outbox.ts). */
  ready?: () => void;
  knownHostsFile?: string;
}

/** The engine's snapshot with what only the app knows. */
export function appSnapshot(host: Host, s: EngineSnapshot): AppSnapshot {
  return { ...s, app: { platform: host.platform, version: host.version, fullDiskAccess: host.fullDiskAccess(), login: host.login() } };
}

type Handlers = { [K in CallName]: (args: never) => Promise<Outcome<CallResults[K]>> };

export function invalidRequest(detail: string): Diagnosis {
  return diagnosisFor('invalid-request', { repository: '', platform: process.platform, passphraseSupplied: false }, detail);
}

/** Validates and answers one call. Never throws: a bad name, bad arguments or a failure come back as data. */
export function createDispatcher(deps: HandlerDeps): (name: unknown, args: unknown) => Promise<Outcome<unknown>> {
  const handlers = createHandlers(deps);
  return async (name, args) => {
    if (!isCallName(name)) return failed(invalidRequest(`There is no call "${String(name).slice(0, 64)}".`));
    const schema = argsSchemas({ profileIds: new Set(deps.engine.config.profiles.map((p) => p.id)) })[name];
    const parsed = schema.safeParse(args ?? undefined);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.length ? formatPath(i.path) : 'arguments'} ${i.message}`).join('; ');
      return failed(invalidRequest(`${name}: ${why}`));
    }
    return guard({}, () => (handlers[name] as (a: unknown) => Promise<Outcome<unknown>>)(parsed.data ?? {}));
  };
}

function createHandlers({ engine, host, ready, knownHostsFile: known }: HandlerDeps): Handlers {
  const hosts = () => known ?? knownHostsFile();
  /** What Show in Finder may show: the folders and files restores of this process answered with. */
  const revealable = new Set<string>();
  /** Folders the user chose in the open panel: the only places a restore into a new folder may go. */
  const chosen = new Set<string>();
  /** The file read for the last import preview, passphrases included: they never leave this process. */
  let pendingImport: { token: string; result: ImportResult } | null = null;
  const snapshot = async (): Promise<AppSnapshot> => appSnapshot(host, await engine.snapshot());
  /** Monitoring URLs cross to a window only as tokens (host shown), and come back as the URLs. */
  const seal = new UrlSeal();
  const sealConflict = (c: SaveConflict | undefined) => (c ? { ...c, config: seal.sealConfig(c.config) } : c);
  return {
    status: async () => ok(await snapshot()),
    configRead: async () => {
      const view = await readConfigView(engine);
      // The raw text of an invalid file (shown to be fixed by hand) is the user's own file, as it is.
      const recovery = view.recovery ? { ...view.recovery, config: seal.sealConfig(view.recovery.config) } : null;
      return ok({ ...view, config: seal.sealConfig(view.config), recovery });
    },
    configSave: async (a: { config: unknown; expectedRevision: string; overwriteInvalid?: boolean }) => {
      const config = seal.unsealConfig(a.config);
      const replaceInvalid = a.overwriteInvalid === true;
      let r = await engine.saveConfig(config, { replaceInvalid, expectedRevision: a.expectedRevision });
      // Open at Login, written for the app since the window read the file, is nobody else's edit: the
      // window's settings go into that file, with its Open at Login.
      if (!r.ok && r.conflict && onlyLoginWritesBetween(engine, a.expectedRevision, r.conflict.revision))
        r = await engine.saveConfig(withLoginOf(config, r.conflict.config), { replaceInvalid, expectedRevision: r.conflict.revision });
      return ok(
        r.ok
          ? { saved: true as const, config: seal.sealConfig(r.config), revision: r.revision }
          : { saved: false as const, errors: r.errors, needsConfirmation: r.needsConfirmation, conflict: sealConflict(r.conflict) },
      );
    },
    configSaveText: async (a: { text: string; expectedRevision: string }) => {
      let r = await engine.saveConfigText(a.text, { expectedRevision: a.expectedRevision });
      if (!r.ok && r.conflict && onlyLoginWritesBetween(engine, a.expectedRevision, r.conflict.revision)) {
        const login = loginOf(r.conflict.config);
        const text = login === undefined ? a.text : withAppSetting(a.text, 'openAtLogin', login);
        if (text !== null) r = await engine.saveConfigText(text, { expectedRevision: r.conflict.revision });
      }
      return ok(
        r.ok
          ? { saved: true as const, config: seal.sealConfig(r.config), revision: r.revision }
          : { saved: false as const, errors: r.errors, conflict: sealConflict(r.conflict) },
      );
    },
    openConfigFile: async () => ok({ opened: await host.openPath(engine.paths.config) }),
    runNow: async (a: { profile: string }) => {
      const ids = a.profile === 'all' ? engine.config.profiles.map((p) => p.id) : [a.profile];
      const started = ids.filter((id) => !engine.isRunning(id));
      // The window follows the run through events; the record also arrives as `run-finished`.
      for (const id of started) void engine.run(id, { trigger: 'manual', busy: 'wait' });
      return ok({ started });
    },
    // A run of this process stops at once; one of another process (daemon, CLI) is asked to through locks/.
    cancel: async (a: { profile: string }) => ok({ cancelled: (await engine.stop(a.profile)) !== null }),
    resume: async () => {
      const was = await engine.pauseState();
      await engine.resume();
      return ok({ resumed: was !== null });
    },
    logTail: (a: { profile: string; lines?: number }) => engine.logTail(a.profile, a.lines ?? 200),
    archives: (a: { profile: string }) => engine.archives(a.profile),
    listFolder: (a: { profile: string; archive: string; folder: string }) => engine.listFolder(a.profile, a.archive, a.folder),
    find: (a: { profile: string; archive: string; pattern: string }) => engine.find(a.profile, a.archive, a.pattern),
    versions: (a: { profile: string; path: string }) => engine.versions(a.profile, a.path),
    restore: async (a: { profile: string; archive: string; paths: string[]; mode: 'new-folder' | 'in-place'; target?: string }) => {
      const target = a.target === undefined ? undefined : path.resolve(a.target);
      if (target !== undefined && !chosen.has(target))
        return failed(invalidRequest('restore: the target is not a folder chosen in the open panel'));
      const r = await engine.restore(a.profile, { archive: a.archive, paths: a.paths, target, mode: a.mode, busy: 'wait' });
      if (r.ok) {
        if (r.value.folder) revealable.add(path.resolve(r.value.folder));
        // Put back in place: the archive's paths are where they came from (borg stores them without
        // the leading "/"), and the Keep Both copies are named from there.
        if (a.mode === 'in-place') for (const p of a.paths) revealable.add(path.resolve('/', p));
        for (const k of r.value.keptBoth) {
          revealable.add(path.resolve(r.value.folder ?? '/', k.restoredAs));
          revealable.add(path.resolve(r.value.folder ?? '/', k.path));
        }
      }
      return r;
    },
    cancelOperation: async (a: { profile: string }) => ok({ cancelled: engine.cancelOperation(a.profile) }),
    // A backup of the same repository that starts meanwhile is waited for (the card says whom for).
    check: async (a: { profile: string }) => withLine(await engine.check(a.profile, { busy: 'wait' })),
    drill: async (a: { profile: string }) => withLine(await engine.drill(a.profile, { busy: 'wait' })),
    doctor: async (a: { profile?: string; draft?: Record<string, unknown> }) =>
      ok(a.draft ? await doctorDraft(a.draft) : await doctor(engine, a.profile)),
    testMonitor: (a: { profile: string | null; pingUrl: string | null; ntfyUrl: string | null }) => {
      const url = (v: string | null) => {
        const u = v === null ? null : seal.unseal(v.trim());
        return typeof u === 'string' && u !== '' && !u.startsWith('sealed:') ? u : null;
      };
      return engine.testMonitor(a.profile, { pingUrl: url(a.pingUrl), ntfyUrl: url(a.ntfyUrl) });
    },
    hostKey: (a: { host: string; port: number }) => scanHostKeys(a.host, a.port, { knownHostsFile: hosts() }),
    trustHostKey: (a: { host: string; port: number; fingerprint: string }) =>
      trustHostKey(a.host, a.port, a.fingerprint, { knownHostsFile: hosts() }),
    passphraseState: (a: { profile: string }) => engine.passphraseState(a.profile),
    setPassphrase: (a: { profile: string; passphrase: string }) => engine.setPassphrase(a.profile, a.passphrase),
    initRepository: (a: { profile: string }) => engine.init(a.profile),
    exportKey: async (a: { profile: string; paper?: boolean }) => {
      const p = engine.profile(a.profile);
      const to = await host.saveFile({
        title: 'Save the repository key',
        defaultPath: path.join(os.homedir(), `dandelion-${p?.id ?? 'key'}-key.${a.paper ? 'txt' : 'borgkey'}`),
      });
      if (!to) return ok({ file: null });
      const r = await engine.exportKey(a.profile, { paper: a.paper, to });
      return r.ok ? ok({ file: r.value.file }) : r;
    },
    pickFolder: async (a: { title?: string; defaultPath?: string }) => {
      const picked = await host.pickFolder(a);
      if (picked) chosen.add(path.resolve(picked));
      return ok({ path: picked });
    },
    pickFile: async (a: { title?: string; defaultPath?: string; hidden?: boolean }) => ok({ path: await host.pickFile(a) }),
    openLog: async (a: { profile: string }) => {
      const tail = await engine.logTail(a.profile, 1);
      if (!tail.ok) return tail;
      return ok({ opened: tail.value.file ? await host.openPath(tail.value.file) : false });
    },
    openFdaSettings: async () => {
      await host.openExternal(FDA_SETTINGS_URL);
      return ok({});
    },
    openLoginSettings: async () => {
      await host.openExternal(LOGIN_ITEMS_URL);
      return ok({});
    },
    loginItem: async () => ok(host.login()),
    setLoginItem: async (a: { openAtLogin: boolean }) => {
      const state = host.setLogin(a.openAtLogin);
      await rememberLogin(engine, a.openAtLogin);
      return ok(state);
    },
    previewSchedule: async (a: { schedule: string; count?: number }) => {
      const error = cronError(a.schedule);
      if (error !== null) return ok({ error });
      const next: string[] = [];
      let from = new Date();
      for (let i = 0; i < (a.count ?? 3); i++) {
        const slot = nextSlot(a.schedule, from);
        if (!slot) break;
        next.push(slot.toISOString());
        from = new Date(slot.getTime() + 1000);
      }
      return ok({ next });
    },
    volumeOf: async (a: { path: string }) => {
      const root = engine.volumesRoot();
      const rel = path.relative(root, path.resolve(a.path));
      const volume = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep)[0]! : null;
      return ok({ volume, volumesRoot: root });
    },
    openWindow: async (a: { window: WindowKind; profile?: string; section?: string }) => {
      host.openWindow(a.window, { profile: a.profile, section: a.section });
      return ok({});
    },
    showInFinder: async (a: { path: string }) => {
      const file = path.resolve(a.path);
      if (!revealable.has(file)) return ok({ shown: false });
      const there = await fs.lstat(file).then(
        () => true,
        () => false,
      );
      if (there) host.showItemInFolder(file);
      return ok({ shown: there });
    },
    importPreview: async (a: { path?: string }) => {
      const file =
        a.path ?? (await host.pickFile({ title: 'Choose your borg backup script, launchd plist, borgmatic or Vorta file', hidden: true }));
      if (!file) return ok({ token: null });
      const resolved = path.resolve(file);
      const st = await fs.stat(resolved).catch(() => null);
      if (!st?.isFile())
        return failed(invalidRequest(`${resolved} is not a file: choose the script, plist, borgmatic or Vorta file itself.`));
      if (st.size > MAX_IMPORT_BYTES) return failed(invalidRequest(`${resolved} is too large to be a backup script or configuration.`));
      const result = readImport([resolved], { ...machineContext(), keychain: keychainWords(host.platform) });
      const token = randomUUID();
      pendingImport = { token, result };
      const outcome = await applyImport(engine, result, { dryRun: true, keychain: keychainWords(host.platform) });
      const secrets = result.secrets.map((x) => x.passphrase);
      return ok({ token, file: resolved, outcome: redactDeep(outcome, secrets), revision: engine.configRevision() });
    },
    importApply: async (a: { token: string; expectedRevision: string }) => {
      if (!pendingImport || pendingImport.token !== a.token)
        return failed(invalidRequest('importApply: that file was not read here (or was already imported); choose it again.'));
      const { result } = pendingImport;
      pendingImport = null;
      const outcome = await applyImport(engine, result, { expectedRevision: a.expectedRevision, keychain: keychainWords(host.platform) });
      return ok(
        redactDeep(
          outcome,
          result.secrets.map((x) => x.passphrase),
        ),
      );
    },
    ready: async () => {
      ready?.();
      return ok({});
    },
  };
}

function withLine(r: Outcome<OpRecord>): Outcome<{ record: OpRecord; line: ActivityLine }> {
  return r.ok ? ok({ record: r.value, line: opLine(r.value) }) : r;
}

/**
 * config.json's revisions before and after each Open at Login write of this app (rememberLogin), the
 * last few: a window's save drawn from a revision these writes alone led away from is no conflict.
 */
const loginWrites = new WeakMap<Engine, { before: string; after: string }[]>();
const LOGIN_WRITES_KEPT = 16;

/** True when config.json went from `from` to `to` only through Open at Login writes of this app. */
function onlyLoginWritesBetween(engine: Engine, from: string, to: string): boolean {
  const writes = loginWrites.get(engine) ?? [];
  const reached = new Set([from]);
  // Revisions can repeat (on, off, on): grow the set of reachable ones until it stops growing.
  for (let grew = true; grew && !reached.has(to);) {
    grew = false;
    for (const w of writes)
      if (reached.has(w.before) && !reached.has(w.after)) {
        reached.add(w.after);
        grew = true;
      }
  }
  return reached.has(to);
}

function loginOf(config: unknown): boolean | undefined {
  const app = config !== null && typeof config === 'object' ? (config as { app?: unknown }).app : undefined;
  const login = app !== null && typeof app === 'object' ? (app as { openAtLogin?: unknown }).openAtLogin : undefined;
  return typeof login === 'boolean' ? login : undefined;
}

/** `config` with the Open at Login of `file` (as it is on disk now); as it was when the file has none. */
function withLoginOf(config: unknown, file: unknown): unknown {
  const login = loginOf(file);
  if (login === undefined || config === null || typeof config !== 'object' || Array.isArray(config)) return config;
  const app = (config as { app?: unknown }).app;
  return { ...config, app: { ...(app !== null && typeof app === 'object' ? app : {}), openAtLogin: login } };
}

/**
 * Open at Login is remembered in config.json too (`app.openAtLogin`), so the first-launch question
 * is asked once. The file is changed only while it is valid; the rest of it is kept as written, to
 * the letter where the text can be edited in place (withAppSetting). A save against the revision
 * read; when someone else wrote in between, this one field is put into their file instead (a few
 * tries), so nothing of theirs is lost.
 */
export async function rememberLogin(engine: Engine, openAtLogin: boolean): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    if (engine.configFileErrors().length > 0) return;
    const { text, json, revision } = await readRaw(engine.paths.config);
    if (text !== null && (json === null || typeof json !== 'object' || Array.isArray(json))) return;
    const config = (json ?? { profiles: [] }) as { app?: Record<string, unknown> };
    const edited = text === null ? undefined : (withAppSetting(text, 'openAtLogin', openAtLogin) ?? undefined);
    const r = await engine.saveConfig(
      { ...config, app: { ...(config.app ?? {}), openAtLogin } },
      { expectedRevision: revision, text: edited },
    );
    if (r.ok && r.revision !== revision) {
      const writes = loginWrites.get(engine) ?? [];
      loginWrites.set(engine, [...writes, { before: revision, after: r.revision }].slice(-LOGIN_WRITES_KEPT));
    }
    if (r.ok || !r.conflict) return;
  }
}

async function readRaw(file: string): Promise<{ text: string | null; json: unknown; revision: string }> {
  const bytes = await fs.readFile(file).catch(() => null);
  if (bytes === null) return { text: null, json: null, revision: configRevision(null) };
  const text = bytes.toString('utf8');
  const revision = configRevision(bytes);
  try {
    return { text, json: JSON.parse(stripBom(text)), revision };
  } catch {
    return { text, json: null, revision };
  }
}

export async function readConfigView(engine: Engine): Promise<ConfigView> {
  const { text, json, revision } = await readRaw(engine.paths.config);
  const errors = engine.configFileErrors();
  const invalid = errors.length > 0;
  const lastGood = engine.config.profiles.map((p) => ({ id: p.id, name: p.name ?? null }));
  return {
    file: engine.paths.config,
    config: json,
    raw: invalid ? text : null,
    errors,
    revision,
    inUse: !invalid ? 'file' : lastGood.length > 0 ? 'last-good' : 'none',
    lastGood: invalid ? lastGood : [],
    recovery: invalid && text !== null ? recoverConfig(stripBom(text)) : null,
    volumesRoot: engine.volumesRoot(),
    home: os.homedir(),
  };
}
