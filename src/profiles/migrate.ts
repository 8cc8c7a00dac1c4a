/**
 * config.json carries a `version` (absent = 1). A file written for an older version is brought up to
 * date in memory, one step per version, before the strict schema sees it: renaming a field later
 * does not make yesterday's file invalid. Nothing here writes; the file changes only when the user
 * saves. A file from a newer Dandelion is refused, never guessed at.
 */

/** The version this build writes. */
export const CONFIG_VERSION = 1;

/** Turns a version-n config object into a version n+1 one. Gets a private copy: it may change it. */
export type MigrationStep = (config: Record<string, unknown>) => Record<string, unknown>;

/** Keyed by the version a step starts from. Empty while there has been only one version. */
export const MIGRATIONS: Readonly<Record<number, MigrationStep>> = {};

export interface MigrateOptions {
  /** For tests: the version to reach (default CONFIG_VERSION). */
  current?: number;
  /** For tests: the steps to use (default MIGRATIONS). */
  steps?: Readonly<Record<number, MigrationStep>>;
}

export type MigrateResult =
  { ok: true; value: unknown; from: number; to: number } | { ok: false; error: { path: string; message: string } };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The version a config object says it is; anything but a whole number ≥ 1 is an error message. */
export function configVersion(raw: Record<string, unknown>): number | string {
  const v = raw.version;
  if (v === undefined) return 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    return `must be a whole number from 1 (this Dandelion writes ${CONFIG_VERSION})`;
  return v;
}

/**
 * Brings a parsed config.json up to the current version. The input is not changed; the value
 * returned has `version` set to the version reached. Anything that is not an object is passed
 * through for the schema to report.
 */
export function migrateConfig(raw: unknown, opts: MigrateOptions = {}): MigrateResult {
  const current = opts.current ?? CONFIG_VERSION;
  const steps = opts.steps ?? MIGRATIONS;
  if (!isRecord(raw)) return { ok: true, value: raw, from: current, to: current };
  const from = configVersion(raw);
  if (typeof from === 'string') return { ok: false, error: { path: 'version', message: from } };
  if (from > current) {
    return {
      ok: false,
      error: {
        path: 'version',
        message:
          `is ${from}: this config.json was written by a newer version of Dandelion (this one reads up to version ${current}). ` +
          'Update Dandelion; the file is left as it is.',
      },
    };
  }
  let value: Record<string, unknown> = structuredClone(raw);
  for (let v = from; v < current; v++) {
    const step = steps[v];
    if (!step) return { ok: false, error: { path: 'version', message: `is ${from}, and this Dandelion cannot convert version ${v}` } };
    value = step(value);
  }
  return { ok: true, value: { ...value, version: current }, from, to: current };
}
