/**
 * Settings a window can fix without a control of its own: the keys the schema does not know
 * (offered for removal with their value and a guess at what was meant), and which profiles a
 * replacement of config.json keeps or loses. Pure (unit-tested, and mutation-tested with the
 * engine's recovery in src/profiles/recover.ts).
 */
import type { FieldError } from './types.js';

type Json = Record<string, unknown>;

export interface ProfileRef {
  id: string | null;
  name: string | null;
}

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A profile's id and name as written, whatever else it holds. */
export function refOf(raw: unknown): ProfileRef {
  const p = isRecord(raw) ? raw : {};
  return { id: typeof p.id === 'string' ? p.id : null, name: typeof p.name === 'string' ? p.name : null };
}

/** Which of the profiles in the file a replacement keeps (by id) and which it loses. */
export function compareProfiles(before: readonly ProfileRef[], after: unknown): { kept: ProfileRef[]; lost: ProfileRef[] } {
  const ids = new Set((isRecord(after) && Array.isArray(after.profiles) ? after.profiles : []).map((p) => refOf(p).id));
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
  /** The known setting it probably means (`prune.keepDaily`), as the engine guessed it (suggestField), or null. */
  suggestion: string | null;
}

/** `profiles[1].prune` → `["profiles", 1, "prune"]`; `(top level)` → `[]`. */
export function pathKeys(path: string): (string | number)[] {
  if (path === '(top level)') return [];
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([A-Za-z_$][\w$]*)|\[(\d+)\]/g)) out.push(m[1] ?? Number(m[2]));
  return out;
}

function at(json: unknown, keys: readonly (string | number)[]): unknown {
  let v = json;
  for (const k of keys) v = isRecord(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

/** The unknown settings among the engine's errors, with their value in `json` (those no longer there are left out). */
export function unknownFields(errors: readonly FieldError[], json: unknown): UnknownField[] {
  const out: UnknownField[] = [];
  for (const e of errors) {
    for (const [i, key] of (e.unknown ?? []).entries()) {
      const where = pathKeys(e.path);
      const container = at(json, where);
      if (!isRecord(container) || !(key in container)) continue;
      const text = JSON.stringify(container[key]) ?? 'null';
      out.push({
        path: e.path,
        at: where,
        key,
        value: text.length > 80 ? `${text.slice(0, 79)}…` : text,
        suggestion: e.suggestions?.[i] ?? null,
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
