/**
 * What can be kept of a config.json that is not valid, before anything replaces it: the profiles
 * that can be read and validate, the ones that cannot (by id and name, with why), and a valid
 * config made of what was kept. Pure: no file is read or written.
 */
import { parseJson, type JsonSyntaxError } from './json-text.js';
import { parseConfig } from './schema.js';
import type { MigrateOptions } from './migrate.js';

type Json = Record<string, unknown>;

export interface ProfileRef {
  id: string | null;
  name: string | null;
}

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A profile's id and name as written, whatever else it holds. */
export function refOf(raw: unknown): ProfileRef {
  const p = isRecord(raw) ? raw : {};
  return { id: typeof p.id === 'string' ? p.id : null, name: typeof p.name === 'string' ? p.name : null };
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
    if (k !== 'profiles' && open.has(v as object)) dropped.push(k);
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
  // Each round leaves something out, so this ends.
  for (;;) {
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
        badProfiles.set(i, [...(badProfiles.get(i) ?? []), `${e.path.slice(m[0].length + 1) || 'the profile'}: ${e.message}`]);
        continue;
      }
      // A file from a newer Dandelion is not read by leaving its version out.
      const keys = e.path === '(top level)' ? (e.unknown ?? []) : [e.path.split(/[.[]/)[0]!];
      for (const key of keys) {
        if (!(key in top) || key === 'version') continue;
        dropped.push(key);
        delete top[key];
        progress = true;
      }
    }
    for (const [i, why] of badProfiles) lost.push({ ...refOf(profiles[i]), why: why.join('; ') });
    profiles = profiles.filter((_, i) => !badProfiles.has(i));
    if (!progress && badProfiles.size === 0) break;
  }
  return {
    syntax,
    config: null,
    kept: [],
    lost: [...lost, ...profiles.map((p) => ({ ...refOf(p), why: 'the file as a whole is not valid' }))],
    dropped,
  };
}
