/**
 * What can be kept of a config.json that is not valid, before anything replaces it: the profiles
 * that can be read and validate, the ones that cannot (by id and name, with why), and a valid
 * config made of what was kept. Also the settings the schema does not know (offered for removal
 * with their value) and what a replacement would keep and lose. Pure: no file is read or written.
 */
import { parseJson, type JsonSyntaxError } from './json-text.js';
import { parseConfig, type FieldError } from './schema.js';
import type { MigrateOptions } from './migrate.js';

type Json = Record<string, unknown>;

export interface ProfileRef {
  id: string | null;
  name: string | null;
}

export interface LostProfile extends ProfileRef {
  why: string;
}

export interface Recovery {
  /** Where the text stops being JSON; null when it parses. */
  syntax: JsonSyntaxError | null;
  /** A valid config made of what could be kept, or null when nothing could. */
  config: Json | null;
  kept: ProfileRef[];
  lost: LostProfile[];
  /** Settings outside the profiles that were left out (`volumesRoot`, `app`, …). */
  dropped: string[];
}

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function refOf(raw: unknown): ProfileRef {
  const p = isRecord(raw) ? raw : {};
  return { id: typeof p.id === 'string' ? p.id : null, name: typeof p.name === 'string' ? p.name : null };
}

/** Profile ids written in the text, read or not: `"id": "…"` is a key only profiles have. */
export function idsInText(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"id"\s*:\s*"((?:[^"\\]|\\.)*)"/g)) {
    const id = m[1]!;
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

const PROFILE_AT = /^profiles\[(\d+)\]/;

/**
 * Reads what it can of config.json's text. A syntax error is located, then the text is read again
 * forgiving trailing commas and comments; if it still fails, what came before the error is used
 * (a profile cut off by the error is not). Profiles that do not validate are left out one by one,
 * as are other settings that do not, until the rest is a valid config.
 */
export function recoverConfig(text: string, migrations?: MigrateOptions): Recovery {
  const strict = parseJson(text);
  let json: unknown;
  let open: ReadonlySet<object> = new Set();
  let syntax: JsonSyntaxError | null = null;
  if (strict.ok) json = strict.value;
  else {
    syntax = strict.error;
    const lenient = parseJson(text, { lenient: true });
    if (lenient.ok) json = lenient.value;
    else {
      json = lenient.partial;
      open = lenient.open;
    }
  }
  const lost: LostProfile[] = [];
  const dropped: string[] = [];
  const mentioned = idsInText(text);
  const unread = (why: string): LostProfile[] =>
    mentioned.filter((id) => !lost.some((l) => l.id === id)).map((id) => ({ id, name: null, why }));
  if (!isRecord(json)) {
    return { syntax, config: null, kept: [], lost: unread('could not be read'), dropped };
  }
  const top: Json = {};
  for (const [k, v] of Object.entries(json)) {
    if (typeof v === 'object' && v !== null && open.has(v) && k !== 'profiles') dropped.push(k);
    else top[k] = v;
  }
  const rawProfiles = Array.isArray(top.profiles) ? top.profiles : [];
  if (top.profiles !== undefined && !Array.isArray(top.profiles)) {
    dropped.push('profiles');
    delete top.profiles;
  }
  let profiles: unknown[] = [];
  for (const p of rawProfiles) {
    if (isRecord(p) && !open.has(p)) profiles.push(p);
    else lost.push({ ...refOf(p), why: isRecord(p) ? 'is cut off by the syntax error' : 'is not a profile (an object in { })' });
  }
  for (let round = 0; round < 100; round++) {
    const candidate: Json = { ...top, profiles };
    const parsed = parseConfig(candidate, migrations);
    if (parsed.ok) {
      const kept = profiles.map(refOf);
      const why = syntax ? 'could not be read (it comes after the syntax error)' : 'could not be read';
      const rest = unread(why).filter((l) => !kept.some((k) => k.id === l.id));
      return { syntax, config: candidate, kept, lost: [...lost, ...rest], dropped };
    }
    const badProfiles = new Map<number, string[]>();
    let progress = false;
    for (const e of parsed.errors) {
      const m = PROFILE_AT.exec(e.path);
      if (m) {
        const i = Number(m[1]);
        badProfiles.set(i, [
          ...(badProfiles.get(i) ?? []),
          `${e.path.slice(m[0].length).replace(/^\./, '') || 'the profile'}: ${e.message}`,
        ]);
        continue;
      }
      // A file from a newer Dandelion is not read by leaving its version out.
      const keys = e.path === '(top level)' ? (e.unknown ?? []) : [/^[A-Za-z]+/.exec(e.path)?.[0] ?? ''];
      for (const key of keys) {
        if (!(key in top) || key === 'profiles' || key === 'version') continue;
        if (!dropped.includes(key)) dropped.push(key);
        delete top[key];
        progress = true;
      }
    }
    if (badProfiles.size) {
      for (const [i, why] of badProfiles) lost.push({ ...refOf(profiles[i]), why: why.join('; ') });
      profiles = profiles.filter((_, i) => !badProfiles.has(i));
      progress = true;
    }
    if (!progress) break;
  }
  return {
    syntax,
    config: null,
    kept: [],
    lost: [...lost, ...profiles.map((p) => ({ ...refOf(p), why: 'the file as a whole is not valid' }))],
    dropped,
  };
}

/** Which of the profiles in the file a replacement keeps (by id) and which it loses. */
export function compareProfiles(before: readonly ProfileRef[], after: unknown): { kept: ProfileRef[]; lost: ProfileRef[] } {
  const next = isRecord(after) && Array.isArray(after.profiles) ? after.profiles.map(refOf) : [];
  const ids = new Set(next.map((p) => p.id));
  return { kept: before.filter((p) => ids.has(p.id)), lost: before.filter((p) => !ids.has(p.id)) };
}

// ---- settings the schema does not know ----------------------------------------------------------------

export interface UnknownField {
  /** Where it is, as the engine wrote it: `profiles[0]`, `profiles[1].prune`, `app`, `(top level)`. */
  path: string;
  /** The same as keys: `["profiles", 0]`. */
  at: (string | number)[];
  key: string;
  /** The value as JSON text, shortened. */
  value: string;
  /** A known setting it probably means (`prune.keepDaily`), or null. */
  suggestion: string | null;
}

/** `profiles[1].prune` → `["profiles", 1, "prune"]`; `(top level)` → `[]`. */
export function pathKeys(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([A-Za-z_$][\w$]*)|\[(\d+)\]/g)) out.push(m[1] ?? Number(m[2]));
  return out;
}

function at(json: unknown, keys: readonly (string | number)[]): unknown {
  let v = json;
  for (const k of keys) v = isRecord(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

const PROFILE_KEYS = [
  'id',
  'name',
  'repository',
  'sshKey',
  'encryption',
  'passcommand',
  'sources',
  'excludes',
  'archiveName',
  'compression',
  'oneFileSystem',
  'excludeCaches',
  'prune',
  'schedule',
  'volume',
  'minIntervalHours',
  'overdueAfterHours',
  'skipOnBattery',
  'borgPath',
];
const PRUNE_KEYS = ['keepWithin', 'keepLast', 'keepMinutely', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'];
const TOP_KEYS = ['version', 'app', 'volumesRoot', 'borgPath', 'profiles'];
const APP_KEYS = ['notifications', 'openAtLogin'];

/** The known setting an unknown key at `where` probably means: another spelling, or one level up or down. */
export function suggestFor(where: readonly (string | number)[], key: string): string | null {
  const fold = (s: string) => s.toLowerCase().replace(/[-_]/g, '').replace(/s$/, '');
  const find = (names: readonly string[]) => names.find((n) => fold(n) === fold(key)) ?? null;
  const last = where[where.length - 1];
  if (where.length === 2 && where[0] === 'profiles') {
    const prune = find(PRUNE_KEYS);
    return prune ? `prune.${prune}` : find(PROFILE_KEYS);
  }
  if (last === 'prune') return find(PRUNE_KEYS) ?? (find(PROFILE_KEYS) ? `${find(PROFILE_KEYS)} (beside prune, not in it)` : null);
  if (last === 'app') return find(APP_KEYS);
  if (where.length === 0) {
    const app = find(APP_KEYS);
    return app ? `app.${app}` : find(TOP_KEYS);
  }
  return null;
}

/** The unknown settings among the engine's errors, with their value in `json` (those no longer there are left out). */
export function unknownFields(errors: readonly FieldError[], json: unknown): UnknownField[] {
  const out: UnknownField[] = [];
  for (const e of errors) {
    for (const key of e.unknown ?? []) {
      const where = pathKeys(e.path);
      const container = at(json, where);
      if (!isRecord(container) || !(key in container)) continue;
      const text = JSON.stringify(container[key]) ?? 'null';
      out.push({
        path: e.path,
        at: where,
        key,
        value: text.length > 80 ? `${text.slice(0, 79)}…` : text,
        suggestion: suggestFor(where, key),
      });
    }
  }
  return out;
}

/** `json` without `key` in the object at `where` (copies along the way; the input is not changed). */
export function withoutKey(json: unknown, where: readonly (string | number)[], key: string): unknown {
  if (where.length === 0) {
    if (!isRecord(json)) return json;
    const { [key]: _gone, ...rest } = json;
    return rest;
  }
  const [head, ...tail] = where;
  if (Array.isArray(json) && typeof head === 'number' && head < json.length)
    return json.map((v, i) => (i === head ? withoutKey(v, tail, key) : v));
  if (isRecord(json) && typeof head === 'string' && head in json) return { ...json, [head]: withoutKey(json[head], tail, key) };
  return json;
}
