import fs from 'node:fs/promises';
import path from 'node:path';
import { parseConfig, type Config, type ConfigInput, type FieldError } from './schema.js';

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

/**
 * Reads and validates config.json. A missing file is an empty config; an unreadable or invalid one is
 * reported with the field and left exactly as it is — never replaced by defaults.
 */
export async function loadConfig(file: string): Promise<LoadResult> {
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
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, file, errors: [{ path: '(file)', message: `is not valid JSON: ${(err as Error).message}` }] };
  }
  const parsed = parseConfig(json);
  if (!parsed.ok) return { ok: false, file, errors: parsed.errors };
  return { ok: true, config: parsed.config, exists: true };
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
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}

/** Validates before writing, so an invalid config never reaches disk. */
export async function saveConfig(file: string, input: ConfigInput): Promise<Config> {
  const parsed = parseConfig(input);
  if (!parsed.ok) throw new ConfigError(file, parsed.errors);
  await writeFileAtomic(file, JSON.stringify(input, null, 2) + '\n');
  return parsed.config;
}
