/**
 * config.json changed on disk while the preferences window shows it: what the window does about
 * it, and what changed. Pure (no DOM, no api): unit-tested, and the property test of
 * compare-and-swap saves drives the window through `followFile`.
 *
 * Three versions of the settings take part: `base` (the file the window was drawn from), `theirs`
 * (the file now) and `mine` (the window's drafts as they would be saved).
 */

/**
 * What the window does when the file's revision is not the one its view was drawn from:
 * - `stay`: it is the same revision after all (nothing to do);
 * - `take-file`: nothing unsaved here, so the window shows the file as it is now;
 * - `adopt-revision`: unsaved edits here, but the file says the same as before (only its layout,
 *   or something ignored, changed): keep the edits, save against the new revision;
 * - `ask`: unsaved edits here and different settings there: the user chooses, nothing is written
 *   before they do.
 */
export type FileChange = 'stay' | 'take-file' | 'adopt-revision' | 'ask';

export function followFile(s: {
  viewRevision: string;
  fileRevision: string;
  dirty: boolean;
  base: unknown;
  theirs: unknown;
  /** Dotted fields whose change is the window's own doing (e.g. `app.openAtLogin`, written by the main process for it). */
  ignore?: readonly string[];
}): FileChange {
  if (s.fileRevision === s.viewRevision) return 'stay';
  if (!s.dirty) return 'take-file';
  if (isObject(s.theirs) && isObject(s.base) && sameSettings(s.base, s.theirs, s.ignore)) return 'adopt-revision';
  return 'ask';
}

/** One setting that differs between the three versions. Values are shown text; null = not in that version. */
export interface DiffRow {
  /** The profile's id, or null for settings outside the profiles. */
  profile: string | null;
  /** What to call the group: the profile's name (or id), or "General". */
  group: string;
  /** The field, dotted (`prune.keepDaily`); `(backup)` for a whole profile added or removed. */
  field: string;
  base: string | null;
  theirs: string | null;
  mine: string | null;
  changedByThem: boolean;
  changedByMe: boolean;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON with object keys sorted: the same settings written in another order are the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

/** Leaves of an object by dotted path; arrays and scalars are leaves. */
function flatten(v: Json, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [k, x] of Object.entries(v)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isObject(x) && Object.keys(x).length > 0) flatten(x, key, out);
    else out.set(key, x);
  }
  return out;
}

/** The same settings, whatever the layout of the file (`version` is the file's, not a setting). */
export function sameSettings(a: unknown, b: unknown, ignore: readonly string[] = []): boolean {
  return diffConfigs(a, b, a).every((r) => !r.changedByThem || (r.profile === null && ignore.includes(r.field)));
}

const MAX_VALUE = 160;

/** A value as the sheet shows it: strings bare, lists comma-separated, anything else as JSON. */
export function showValue(v: unknown): string | null {
  if (v === undefined) return null;
  let text: string;
  if (typeof v === 'string') text = v;
  else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) text = v.length ? v.join(', ') : '(none)';
  else text = JSON.stringify(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function profilesById(config: unknown): Map<string, Json> {
  const out = new Map<string, Json>();
  const list = isObject(config) && Array.isArray(config.profiles) ? config.profiles : [];
  list.forEach((p, i) => {
    if (!isObject(p)) return;
    out.set(typeof p.id === 'string' && p.id ? p.id : `#${i + 1}`, p);
  });
  return out;
}

function rowsFor(
  profile: string | null,
  group: string,
  base: Map<string, unknown>,
  theirs: Map<string, unknown>,
  mine: Map<string, unknown>,
): DiffRow[] {
  const fields = [...new Set([...base.keys(), ...theirs.keys(), ...mine.keys()])];
  const rows: DiffRow[] = [];
  for (const field of fields) {
    const b = base.has(field) ? canonical(base.get(field)) : null;
    const t = theirs.has(field) ? canonical(theirs.get(field)) : null;
    const m = mine.has(field) ? canonical(mine.get(field)) : null;
    const changedByThem = t !== b;
    const changedByMe = m !== b;
    if (!changedByThem && !changedByMe) continue;
    rows.push({
      profile,
      group,
      field,
      base: showValue(base.get(field)),
      theirs: showValue(theirs.get(field)),
      mine: showValue(mine.get(field)),
      changedByThem,
      changedByMe,
    });
  }
  return rows;
}

/**
 * Every setting that differs between base, theirs and mine, per profile (by id) and field: first
 * the settings outside the profiles ("General"), then each profile in the order the versions list
 * them. A profile added or removed on either side is a `(backup)` row; its fields are listed
 * while both the file and the window have it.
 */
export function diffConfigs(base: unknown, theirs: unknown, mine: unknown): DiffRow[] {
  const top = (c: unknown): Map<string, unknown> => {
    if (!isObject(c)) return new Map();
    const { profiles: _p, version: _v, ...rest } = c;
    return flatten(rest);
  };
  const rows = rowsFor(null, 'General', top(base), top(theirs), top(mine));
  const [b, t, m] = [profilesById(base), profilesById(theirs), profilesById(mine)];
  const ids = [...new Set([...t.keys(), ...b.keys(), ...m.keys()])];
  for (const id of ids) {
    const [pb, pt, pm] = [b.get(id), t.get(id), m.get(id)];
    const named = [pt, pm, pb].map((p) => (p && typeof p.name === 'string' && p.name.trim() ? p.name.trim() : null)).find(Boolean);
    const group = named ?? id;
    const presence = (p: Json | undefined) => new Map<string, unknown>(p ? [['(backup)', 'present']] : []);
    rows.push(...rowsFor(id, group, presence(pb), presence(pt), presence(pm)));
    // A profile the file or the window no longer has: its (backup) row says it all.
    if (!pt || !pm) continue;
    const flat = (p: Json | undefined) => (p ? flatten(p) : new Map<string, unknown>());
    rows.push(...rowsFor(id, group, flat(pb), flat(pt), flat(pm)));
  }
  return rows;
}
