/**
 * The one contract between the main process and the windows: every call with a zod schema for its
 * arguments and a result type, every event with its payload type. No electron import: the main
 * process, the preload, the renderer and the browser tests all share it.
 *
 * Every call answers an `Outcome<Result>`: errors cross as data (a Diagnosis), never as thrown
 * strings. No call ever returns a secret: a passphrase only goes in.
 */
import { z } from 'zod';
import type { CallName, EventName } from './names.js';
import type {
  EngineSnapshot,
  LiveProgress,
  Outcome,
  PassphraseState,
  SavedPassphrase,
  ArchiveSummary,
  FolderEntry,
  FileVersion,
  FindResult,
  OpProgress,
  RestoreResult,
} from '../engine.js';
import type { FieldError, Config } from '../profiles/schema.js';
import { isHttpUrl, sealedHost } from './monitor-url.js';
import type { TestPingResult } from '../monitor/monitor.js';
import type { ProfileRef, Recovery } from '../profiles/recover.js';
import type { RunRecord } from '../records.js';
import type { OpRecord, ActivityLine } from '../engine.js';
import type { Finding } from '../doctor.js';
import type { ImportOutcome } from '../import/apply.js';
import type { HostKeyReport, HostKeyState } from '../ssh/host-keys.js';
import type { FdaState, LoginItemStatus } from '../app/tray-view.js';

export type { CallName, EventName, Outcome };

/** Long enough for any real path or cron line, short enough that a flood cannot hurt. */
export const MAX_STRING = 4096;
export const MAX_PASSPHRASE = 1024;
/** config.json as a whole, serialised. */
export const MAX_CONFIG_BYTES = 1_000_000;

/** What every validation needs to know that only exists at run time. */
export interface ContractContext {
  profileIds: ReadonlySet<string>;
}

const str = (max = MAX_STRING) => z.string().max(max, `must be at most ${max} characters`);

function profileId(ctx: ContractContext) {
  return z
    .string()
    .max(64, 'must be at most 64 characters')
    .refine(
      (id) => ctx.profileIds.has(id),
      (id) => ({ message: `there is no profile "${id}"` }),
    );
}

const none = z.object({}).strict().optional();
const hostName = str(255).regex(/^[A-Za-z0-9._:[\]-]+$/, 'is not a host name or address');
/** borg refuses names over 255 characters; an archive name is never empty. */
const archiveName = str(255).min(1, 'must not be empty');
/** A monitoring URL typed in the window (http or https), or the token a saved one is shown as. */
const monitorUrlArg = str(2048).refine((v) => isHttpUrl(v.trim()) || sealedHost(v) !== null, 'must be an http:// or https:// URL');
const port = z.number().int().min(1, 'must be 1–65535').max(65535, 'must be 1–65535');

/** The argument schema of every call, for one context (the profiles that exist now). */
export function argsSchemas(ctx: ContractContext) {
  const profile = z.object({ profile: profileId(ctx) }).strict();
  return {
    status: none,
    configRead: none,
    configSave: z
      .object({
        config: z.unknown().refine((v) => {
          try {
            return JSON.stringify(v ?? null).length <= MAX_CONFIG_BYTES;
          } catch {
            return false;
          }
        }, 'is too large or not JSON'),
        /** The revision the config was drawn from (ConfigView.revision): a file changed since is never overwritten. */
        expectedRevision: str(64),
        /** Replace a config.json that is itself invalid (edited by hand); a `.bak` copy is kept. */
        overwriteInvalid: z.boolean().optional(),
      })
      .strict(),
    /** config.json as text, fixed by hand in the window: parsed and validated by the engine, written only when valid. */
    configSaveText: z.object({ text: str(MAX_CONFIG_BYTES), expectedRevision: str(64) }).strict(),
    /** Opens config.json in the user's editor (the app that opens .json files). */
    openConfigFile: none,
    runNow: z.object({ profile: z.union([z.literal('all'), profileId(ctx)]) }).strict(),
    cancel: profile,
    /** Resume Backups: ends a pause (whoever set it); what came due meanwhile runs once. */
    resume: none,
    logTail: z.object({ profile: profileId(ctx), lines: z.number().int().min(1).max(1000).optional() }).strict(),
    archives: profile,
    /** One folder of an archive ('' = its root), folders first. */
    listFolder: z.object({ profile: profileId(ctx), archive: archiveName, folder: str() }).strict(),
    /** Entries of an archive whose name matches (as the user typed it), anywhere in it. */
    find: z.object({ profile: profileId(ctx), archive: archiveName, pattern: str(1024).min(1, 'must not be empty') }).strict(),
    /** Which archives hold this archive path, with their sizes and modification times. */
    versions: z.object({ profile: profileId(ctx), path: str().min(1, 'must not be empty') }).strict(),
    /**
     * Restores archive paths ([] = everything): into a new folder inside `target`, which must be a
     * folder the user chose in the open panel (pickFolder), or put back in place (never overwriting).
     * The window follows it through `op-progress`; the answer is the result.
     */
    restore: z
      .object({
        profile: profileId(ctx),
        archive: archiveName,
        paths: z.array(str()).max(100_000, 'must be at most 100,000 paths'),
        mode: z.enum(['new-folder', 'in-place']),
        target: str().optional(),
      })
      .strict()
      .refine((a) => (a.mode === 'in-place') === (a.target === undefined), {
        message: 'a new folder needs the target folder; putting back in place takes none',
        path: ['target'],
      }),
    /** Cancels the restore (or check, or drill) this app is doing for the profile. */
    cancelOperation: profile,
    /**
     * Check Now: `borg check` of the profile's repository and archives, as the profile says (never
     * `--repair`). Followed through `op-progress`; the answer is its record once it ends.
     */
    check: profile,
    /** Prove Restorable: the restore drill of the latest archive. Followed through `op-progress`; the answer is its record. */
    drill: profile,
    /** One saved profile, every profile, or a draft from the preferences window before it is saved. */
    doctor: z.union([
      z.object({ profile: profileId(ctx) }).strict(),
      z.object({ draft: z.record(z.unknown()) }).strict(),
      z.object({}).strict(),
    ]),
    /**
     * "Send Test Ping": the URLs as the window holds them (typed, or a saved one's sealed token), for a
     * saved profile or a new one. The answer names hosts only.
     */
    testMonitor: z
      .object({
        profile: z.union([profileId(ctx), z.null()]),
        pingUrl: monitorUrlArg.nullable(),
        ntfyUrl: monitorUrlArg.nullable(),
      })
      .strict(),
    hostKey: z.object({ host: hostName, port }).strict(),
    trustHostKey: z
      .object({ host: hostName, port, fingerprint: str(200).regex(/^SHA256:[A-Za-z0-9+/=]+$/, 'is not a SHA256 fingerprint') })
      .strict(),
    passphraseState: profile,
    setPassphrase: z
      .object({
        profile: profileId(ctx),
        passphrase: z
          .string()
          .min(1, 'must not be empty')
          .max(MAX_PASSPHRASE)
          .refine((v) => v.trim() !== '', 'must not be only spaces'),
      })
      .strict(),
    initRepository: profile,
    exportKey: z.object({ profile: profileId(ctx), paper: z.boolean().optional() }).strict(),
    pickFolder: z.object({ title: str(200).optional(), defaultPath: str().optional() }).strict(),
    pickFile: z.object({ title: str(200).optional(), defaultPath: str().optional(), hidden: z.boolean().optional() }).strict(),
    openLog: profile,
    openFdaSettings: none,
    openLoginSettings: none,
    loginItem: none,
    setLoginItem: z.object({ openAtLogin: z.boolean() }).strict(),
    previewSchedule: z.object({ schedule: str(200), count: z.number().int().min(1).max(10).optional() }).strict(),
    volumeOf: z.object({ path: str() }).strict(),
    openWindow: z
      .object({
        window: z.enum(['status', 'preferences', 'browse']),
        profile: str(64).optional(),
        section: z.enum(['new-profile', 'general', 'repository', 'sources', 'schedule', 'keep', 'passphrase', 'errors']).optional(),
      })
      .strict(),
    /** Shows a file in Finder: only one a restore of this app answered with (the renderer does not name arbitrary paths). */
    showInFinder: z.object({ path: str() }).strict(),
    /** An old borg setup, read in the main process: the file chosen in the open panel (no path), or one dropped on the window. */
    importPreview: z
      .object({
        path: str()
          .refine((p) => p.startsWith('/'), 'must be an absolute path')
          .optional(),
      })
      .strict(),
    /** Saves what importPreview showed (its token), against the config.json revision it was shown with. */
    importApply: z.object({ token: str(64), expectedRevision: str(64) }).strict(),
    ready: none,
  } satisfies Record<CallName, z.ZodTypeAny>;
}

export type CallArgs = { [K in CallName]: z.input<ReturnType<typeof argsSchemas>[K]> };

export type { FdaState, LoginItemStatus };
export interface LoginState {
  openAtLogin: boolean;
  status: LoginItemStatus;
}

/** The engine's snapshot plus what only the app knows. */
export interface AppSnapshot extends EngineSnapshot {
  app: {
    platform: NodeJS.Platform;
    version: string;
    fullDiskAccess: FdaState;
    login: LoginState;
  };
}

/** config.json as the preferences window edits it. Never holds a secret (passphrases live in the keyring). */
export interface ConfigView {
  file: string;
  /** The file as written (defaults not filled in), or null when it does not exist or cannot be read as JSON. */
  config: unknown;
  /** The text on disk when it is not valid, so the window can show it; null otherwise. */
  raw: string | null;
  /** Non-empty while the file on disk is invalid. */
  errors: FieldError[];
  /** The revision of the bytes this view was read from: what a save of it names as `expectedRevision`. */
  revision: string;
  /**
   * What the engine uses while the file is invalid: `last-good` (the profiles it had before the file
   * was broken, in `lastGood`) or `none` (it was invalid from the start: nothing is backed up).
   * `file` while the file is valid.
   */
  inUse: 'file' | 'last-good' | 'none';
  lastGood: ProfileRef[];
  /** While the file is invalid: what of it could be kept, and what a replacement would lose. */
  recovery: Recovery | null;
  volumesRoot: string;
  home: string;
}

export type ConfigSaveResult =
  | { saved: true; config: Config; revision: string }
  /**
   * `needsConfirmation`: the file on disk is invalid; saving over it must be confirmed (a `.bak` is kept).
   * `conflict`: config.json changed since `expectedRevision`; nothing was written; this is the file now.
   */
  | { saved: false; errors: FieldError[]; needsConfirmation?: boolean; conflict?: { revision: string; config: unknown } };

/**
 * What importPreview answers: the plan of an import (a dry run), never a passphrase (those stay in
 * the main process with the file it read). `token: null` when the open panel was cancelled.
 */
export type ImportPreview = { token: null } | { token: string; file: string; outcome: ImportOutcome; revision: string };

export type { ImportOutcome };

export type {
  HostKeyReport,
  HostKeyState,
  ProfileRef,
  Recovery,
  ArchiveSummary,
  FolderEntry,
  OpRecord,
  OpProgress,
  FileVersion,
  FindResult,
  RestoreResult,
  ActivityLine,
};

export interface CallResults {
  status: AppSnapshot;
  configRead: ConfigView;
  configSave: ConfigSaveResult;
  configSaveText: ConfigSaveResult;
  openConfigFile: { opened: boolean };
  runNow: { started: string[] };
  cancel: { cancelled: boolean };
  /** False when backups were not paused. */
  resume: { resumed: boolean };
  logTail: { file: string | null; lines: string[] };
  archives: ArchiveSummary[];
  listFolder: FolderEntry[];
  find: FindResult;
  versions: FileVersion[];
  restore: RestoreResult;
  cancelOperation: { cancelled: boolean };
  /** The record, and the line it makes in Recent activity (src/activity.ts): what the card says it found. */
  check: { record: OpRecord; line: ActivityLine };
  drill: { record: OpRecord; line: ActivityLine };
  doctor: Finding[];
  testMonitor: TestPingResult[];
  hostKey: HostKeyReport;
  trustHostKey: { added: string; knownHostsFile: string };
  passphraseState: PassphraseState;
  setPassphrase: SavedPassphrase;
  initRepository: { repository: string; encryption: string };
  /** The file written, or null when the user cancelled the save dialog. */
  exportKey: { file: string | null };
  pickFolder: { path: string | null };
  pickFile: { path: string | null };
  openLog: { opened: boolean };
  openFdaSettings: Record<string, never>;
  openLoginSettings: Record<string, never>;
  loginItem: LoginState;
  setLoginItem: LoginState;
  previewSchedule: { next: string[] } | { error: string };
  volumeOf: { volume: string | null; volumesRoot: string };
  openWindow: Record<string, never>;
  /** False when the path is not one a restore made, or it is gone. */
  showInFinder: { shown: boolean };
  importPreview: ImportPreview;
  importApply: ImportOutcome;
  ready: Record<string, never>;
}

export interface EventPayloads {
  snapshot: AppSnapshot;
  progress: { profile: string; progress: LiveProgress };
  /** `dropped`: lines left out because more came than a window can show (it keeps the last 200). */
  log: { profile: string; lines: string[]; dropped: number };
  'run-finished': RunRecord;
  /** A restore, check or drill going on in this app (at most 4 a second). */
  'op-progress': { profile: string; progress: OpProgress };
  'op-finished': OpRecord;
  /**
   * Entries of a folder found since the last message while an archive is read for the first time
   * (an entry for a path already sent replaces it): the window draws them before the answer comes.
   */
  'folder-partial': { profile: string; archive: string; folder: string; entries: FolderEntry[] };
  /** Main asks a window to show a profile or section (a tray item, a notification click). */
  navigate: { profile?: string; section?: string };
}

export type EventMessage = { [K in EventName]: { event: K; payload: EventPayloads[K] } }[EventName];

/** What the preload exposes as `window.dandelion`: exactly the contract, nothing else. */
export type DandelionApi = {
  [K in CallName]: (
    ...args: undefined extends CallArgs[K] ? [args?: CallArgs[K]] : [args: CallArgs[K]]
  ) => Promise<Outcome<CallResults[K]>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
  /** Where a file dropped on the window is (a local lookup in the preload, not a call); null when unknown. */
  pathOf(file: File): string | null;
};
