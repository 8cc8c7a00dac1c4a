import fs from 'node:fs/promises';
import path from 'node:path';
import { parseConfig, type Config, type FieldError } from './schema.js';
import { parseJson } from './json-text.js';
import { CONFIG_VERSION, configVersion, migrateConfig, type MigrateOptions } from './migrate.js';

export type LoadResult = { ok: true; config: Config; exists: boolean } | { ok: false; file: string; errors: FieldError[] };

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
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { ok: true, config: { profiles: [] }, exists: false };
    return { ok: false, file, errors: [{ path: '(file)', message: `cannot be read: ${e.message}` }] };
  }
  let json: unknown;
  try {
    json = JSON.parse(stripBom(text));
  } catch {
    return { ok: false, file, errors: [syntaxError(stripBom(text))] };
  }
  const parsed = parseConfig(json, migrations);
  if (!parsed.ok) return { ok: false, file, errors: parsed.errors };
  return { ok: true, config: parsed.config, exists: true };
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

/** Atomic write: a reader sees the old file or the new one, never half of either. */
export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await fs.open(tmp, 'w', mode);
  try {
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

export type SaveResult = { ok: true; config: Config } | { ok: false; errors: FieldError[] };

/** The version of the config.json already there, if it says one; anything unreadable counts as none. */
async function versionOnDisk(file: string): Promise<number | null> {
  try {
    const json: unknown = JSON.parse(stripBom(await fs.readFile(file, 'utf8')));
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
    const v = configVersion(json as Record<string, unknown>);
    return typeof v === 'number' ? v : null;
  } catch {
    return null;
  }
}

/**
 * The one way config.json is written, on an explicit save. Migrates and validates first: an invalid
 * input writes nothing and comes back as field errors. The file gets the input as given (defaults
 * are not spelled out) with `version` set to the current version; it is written atomically, and a
 * file from a newer Dandelion is never replaced.
 */
export async function saveConfig(
  file: string,
  input: unknown,
  migrations?: MigrateOptions,
  opts: { backup?: boolean } = {},
): Promise<SaveResult> {
  const migrated = migrateConfig(input, migrations);
  if (!migrated.ok) return { ok: false, errors: [migrated.error] };
  const parsed = parseConfig(migrated.value, migrations);
  if (!parsed.ok) return parsed;
  const current = migrations?.current ?? CONFIG_VERSION;
  const onDisk = await versionOnDisk(file);
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
  const { version: _version, ...rest } = migrated.value as Record<string, unknown>;
  try {
    // Saving over a file the user edited by hand (and got wrong): their text is kept beside it.
    if (opts.backup)
      await fs.copyFile(file, `${file}.bak`).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    await writeFileAtomic(file, JSON.stringify({ version: current, ...rest }, null, 2) + '\n');
  } catch (err) {
    return { ok: false, errors: [{ path: '(file)', message: `cannot be written: ${(err as Error).message}` }] };
  }
  return { ok: true, config: parsed.config };
}
