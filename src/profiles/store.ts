import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseConfig, type Config, type FieldError } from './schema.js';
import { parseJson } from './json-text.js';
import { CONFIG_VERSION, configVersion, migrateConfig, type MigrateOptions } from './migrate.js';
import { tryLock } from '../jobs/pid-lock.js';

/** `revision`: of the bytes read (see configRevision), also when they are not valid. */
export type LoadResult =
  { ok: true; config: Config; exists: boolean; revision: string } | { ok: false; file: string; errors: FieldError[]; revision: string };

/** The revision of a config.json that does not exist. */
export const ABSENT_REVISION = 'absent';

/**
 * The revision of config.json: a hash of its exact bytes (any change, even of a space, is a new
 * revision), or ABSENT_REVISION when there is no file. A save names the revision it was drawn from.
 */
export function configRevision(text: string | Buffer | null): string {
  if (text === null) return ABSENT_REVISION;
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly errors: FieldError[],
  ) {
    super(`${file} is not valid:\n${errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Windows editors (Notepad) start UTF-8 files with a byte order mark, which JSON.parse refuses. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Reads and validates config.json. A missing file is an empty config; an unreadable or invalid one is
 * reported with the field and left exactly as it is — never replaced by defaults. An older version is
 * converted in memory only: loading never writes.
 */
export async function loadConfig(file: string, migrations?: MigrateOptions): Promise<LoadResult> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { ok: true, config: { profiles: [] }, exists: false, revision: ABSENT_REVISION };
    return { ok: false, file, errors: [{ path: '(file)', message: `cannot be read: ${e.message}` }], revision: ABSENT_REVISION };
  }
  const revision = configRevision(bytes);
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(stripBom(text));
  } catch {
    return { ok: false, file, errors: [syntaxError(stripBom(text))], revision };
  }
  const parsed = parseConfig(json, migrations);
  if (!parsed.ok) return { ok: false, file, errors: parsed.errors, revision };
  return { ok: true, config: parsed.config, exists: true, revision };
}

/**
 * loadConfig for a file someone may be writing right now. An editor that saves in place empties the
 * file and then writes it, so a read in between sees a file that ends too soon: an invalid file is
 * believed only when a second read a moment later finds the same bytes.
 */
export async function loadSettledConfig(file: string, opts: { settleMs?: number; tries?: number } = {}): Promise<LoadResult> {
  const settleMs = opts.settleMs ?? 50;
  let r = await loadConfig(file);
  for (let i = 0; !r.ok && i < (opts.tries ?? 10); i++) {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const again = await loadConfig(file);
    if (again.revision === r.revision) return again;
    r = again;
  }
  return r;
}

/** Where JSON.parse gave up, as a line and column (its own message has only a character position, if that). */
export function syntaxError(text: string): FieldError {
  const r = parseJson(text);
  if (r.ok) return { path: '(file)', message: 'is not valid JSON' };
  const { line, column, reason } = r.error;
  return { path: '(file)', message: `line ${line}, column ${column}: ${reason}`, line, column };
}

/**
 * One error as a person reads it: `config.json line 12, column 5: …` (the text), `config.json line 7,
 * column 19: profiles[0].schedule: …` (a setting found in the text), or `config.json: version: …`.
 */
export function describeError(file: string, e: FieldError): string {
  if (e.line === undefined) return `${file}: ${e.path}: ${e.message}`;
  return e.path === '(file)' ? `${file} ${e.message}` : `${file} line ${e.line}, column ${e.column}: ${e.path}: ${e.message}`;
}

export async function loadConfigOrThrow(file: string): Promise<Config> {
  const r = await loadConfig(file);
  if (!r.ok) throw new ConfigError(r.file, r.errors);
  return r.config;
}

/**
 * Atomic write: a reader sees the old file or the new one, never half of either. The new file gets
 * exactly `mode` (whatever the umask), since it replaces the old one by a rename.
 */
let tmpSerial = 0;

export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
  await writeAtomicChecked(file, data, mode, async () => true);
}

/**
 * writeFileAtomic with a last look just before the rename: when `stillOk` says no, the temporary
 * file is removed, the target is left as it is and the answer is false.
 */
async function writeAtomicChecked(file: string, data: string, mode: number, stillOk: () => Promise<boolean>): Promise<boolean> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Unique within the process too: two writes in the same millisecond must not share (and clobber) one temporary file.
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.${++tmpSerial}.tmp`);
  const handle = await fs.open(tmp, 'w', mode);
  try {
    try {
      // open()'s mode passes through the umask; the file that replaces another keeps that one's mode exactly.
      await handle.chmod(mode);
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (!(await stillOk())) {
      await fs.rm(tmp, { force: true });
      return false;
    }
    await fs.rename(tmp, file);
    return true;
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** What is on disk when a save was refused because the file changed since its caller read it. */
export interface SaveConflict {
  revision: string;
  /** The file as parsed JSON, or null when it is absent or not JSON. */
  config: unknown;
}

export type SaveResult = { ok: true; config: Config; revision: string } | { ok: false; errors: FieldError[]; conflict?: SaveConflict };

export interface SaveOptions {
  /** Keep the file being replaced as `<file>.bak` (a hand-broken file the user chose to replace). */
  backup?: boolean;
  /**
   * The revision the input was drawn from. When the file's revision is another one now, nothing
   * is written and the answer carries the conflict (what is on disk). Absent: write regardless.
   */
  expectedRevision?: string;
  /** How long to wait for another save (in this process or another) to finish. */
  lockTimeoutMs?: number;
  /**
   * The text to write, when it says exactly the input at the current version (e.g. the person's
   * own file with one setting changed, see edit-text.ts); otherwise the input is written as usual.
   */
  text?: string;
}

/** `text` when it is the current version of exactly `rest` (the settings without `version`), else null. */
function sameSettings(text: string | undefined, rest: Record<string, unknown>, current: number): string | null {
  if (text === undefined) return null;
  let json: unknown;
  try {
    json = JSON.parse(stripBom(text));
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const { version: _version, ...settings } = json as Record<string, unknown>;
  return configVersion(json as Record<string, unknown>) === current && isDeepStrictEqual(settings, rest) ? text : null;
}

/**
 * The permission bits a save gives config.json: those of the file it replaces (a 0644 file the user
 * made stays 0644), or 0600 for a new file (it names repositories and servers).
 */
export async function configFileMode(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0o600;
    throw err;
  }
}

async function readBytes(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function jsonOf(bytes: Buffer | null): unknown {
  if (bytes === null) return null;
  try {
    return JSON.parse(stripBom(bytes.toString('utf8')));
  } catch {
    return null;
  }
}

/** The version of the config.json already there, if it says one; anything unreadable counts as none. */
function versionOf(json: unknown): number | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const v = configVersion(json as Record<string, unknown>);
  return typeof v === 'number' ? v : null;
}

/** The lock every save of this file holds across processes, beside the file. */
export function configLockFile(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.lock`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes the save lock (O_EXCL, stale ones taken over), waiting while another save holds it. */
async function lockConfig(file: string, timeoutMs: number): Promise<(() => Promise<void>) | null> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await tryLock(configLockFile(file), `saving ${path.basename(file)}`);
    if (r.ok) return r.release;
    if (Date.now() >= until) return null;
    await sleep(10 + Math.floor(Math.random() * 20));
  }
}

function conflictOf(bytes: Buffer | null, expected: string): SaveResult {
  const revision = configRevision(bytes);
  return {
    ok: false,
    conflict: { revision, config: jsonOf(bytes) },
    errors: [
      {
        path: '(file)',
        message:
          bytes === null
            ? 'was removed by someone else since it was read; nothing was written'
            : `was changed by someone else since it was read (revision ${expected}, now ${revision}); nothing was written`,
      },
    ],
  };
}

/**
 * The one way config.json is written, on an explicit save. Migrates and validates first: an invalid
 * input writes nothing and comes back as field errors. The file gets the input as given (defaults
 * are not spelled out) with `version` set to the current version; it is written atomically, keeps
 * the mode of the file it replaces (0600 when new), and a file from a newer Dandelion is never replaced.
 *
 * Compare-and-swap: with `expectedRevision`, the file is replaced only while it is still the
 * revision the input was drawn from. The check holds the save lock (so two processes saving at
 * once cannot both pass it) and is made again just before the rename (a hand edit in between
 * also wins); a refused save writes nothing and returns what is on disk now.
 */
export async function saveConfig(file: string, input: unknown, migrations?: MigrateOptions, opts: SaveOptions = {}): Promise<SaveResult> {
  const migrated = migrateConfig(input, migrations);
  if (!migrated.ok) return { ok: false, errors: [migrated.error] };
  const parsed = parseConfig(migrated.value, migrations);
  if (!parsed.ok) return parsed;
  const current = migrations?.current ?? CONFIG_VERSION;
  const { version: _version, ...rest } = migrated.value as Record<string, unknown>;
  const data = sameSettings(opts.text, rest, current) ?? JSON.stringify({ version: current, ...rest }, null, 2) + '\n';
  const cannot = (err: unknown): SaveResult => ({
    ok: false,
    errors: [{ path: '(file)', message: `cannot be written: ${(err as Error).message}` }],
  });
  let release: (() => Promise<void>) | null;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    release = await lockConfig(file, opts.lockTimeoutMs ?? 10_000);
  } catch (err) {
    return cannot(err);
  }
  if (!release) return { ok: false, errors: [{ path: '(file)', message: 'is being saved by another process; nothing was written' }] };
  try {
    const before = await readBytes(file);
    const revision = configRevision(before);
    const expected = opts.expectedRevision;
    if (expected !== undefined && revision !== expected) return conflictOf(before, expected);
    const onDisk = versionOf(jsonOf(before));
    if (onDisk !== null && onDisk > current) {
      return {
        ok: false,
        errors: [
          {
            path: '(file)',
            message: `is version ${onDisk}, written by a newer version of Dandelion (this one writes version ${current}); it was not replaced`,
          },
        ],
      };
    }
    // Saving over a file the user edited by hand (and got wrong): their text is kept beside it.
    if (opts.backup && before !== null) await fs.writeFile(`${file}.bak`, before, { mode: 0o600 });
    let raced: Buffer | null = null;
    const mode = await configFileMode(file);
    const written = await writeAtomicChecked(file, data, mode, async () => {
      if (expected === undefined) return true;
      const now = await readBytes(file);
      if (configRevision(now) === revision) return true;
      raced = now;
      return false;
    });
    if (!written) return conflictOf(raced, revision);
    return { ok: true, config: parsed.config, revision: configRevision(data) };
  } catch (err) {
    return cannot(err);
  } finally {
    await release().catch(() => {});
  }
}
