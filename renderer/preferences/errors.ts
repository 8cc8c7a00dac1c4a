/**
 * Where each error goes: the engine's FieldError paths (`profiles[0].schedule`,
 * `profiles[1].prune.keepDaily`, `app.notifications`) and the window's own (`profiles[0].repository.port`)
 * mapped to the control that can fix them, and to the section and profile that control is in.
 */
import type { FieldError } from './types.js';
import { profileJson, repositoryOf, scheduleOf, type ProfileDraft } from './draft.js';

export type Section = 'repository' | 'passphrase' | 'sources' | 'schedule' | 'keep';
export const SECTIONS: { id: Section; label: string }[] = [
  { id: 'repository', label: 'Repository' },
  { id: 'passphrase', label: 'Passphrase' },
  { id: 'sources', label: 'Folders' },
  { id: 'schedule', label: 'Schedule' },
  { id: 'keep', label: 'Keep' },
];

/** The control of a profile each top-level field of config.json belongs to, and its section. */
const PROFILE_FIELDS: Record<string, Section> = {
  id: 'repository',
  name: 'repository',
  repository: 'repository',
  sshKey: 'repository',
  volume: 'repository',
  encryption: 'repository',
  passcommand: 'passphrase',
  sources: 'sources',
  excludes: 'sources',
  excludeCaches: 'sources',
  oneFileSystem: 'sources',
  schedule: 'schedule',
  minIntervalHours: 'schedule',
  overdueAfterHours: 'schedule',
  skipOnBattery: 'schedule',
  check: 'schedule',
  monitor: 'schedule',
  archiveName: 'keep',
  compression: 'keep',
  prune: 'keep',
};

/** Fields whose sub-path names its own control (`prune.keepDaily`, `repository.port`). */
const WITH_SUB = new Set(['prune', 'repository', 'check', 'monitor']);

export type Place =
  | { kind: 'profile'; index: number; field: string; section: Section }
  | { kind: 'general'; field: 'notifications' | 'openAtLogin' | 'borgPath' }
  | { kind: 'banner' };

export function placeOf(path: string): Place {
  const m = /^profiles\[(\d+)\](?:\.([A-Za-z]+))?(?:\[\d+\])?(?:\.([A-Za-z]+))?/.exec(path);
  if (m) {
    const index = Number(m[1]);
    const top = m[2];
    if (!top) return { kind: 'profile', index, field: 'profile', section: 'repository' };
    const section = PROFILE_FIELDS[top];
    if (!section) return { kind: 'profile', index, field: 'profile', section: 'repository' };
    // The profile id is shown (and fixed) beside the name.
    const field = top === 'id' ? 'name' : WITH_SUB.has(top) && m[3] ? `${top}.${m[3]}` : top;
    return { kind: 'profile', index, field, section };
  }
  if (path.startsWith('app.notifications')) return { kind: 'general', field: 'notifications' };
  if (path.startsWith('app.openAtLogin')) return { kind: 'general', field: 'openAtLogin' };
  if (path === 'borgPath') return { kind: 'general', field: 'borgPath' };
  return { kind: 'banner' };
}

/** "needs at least one folder" → "Needs at least one folder." */
export function sentence(message: string): string {
  const t = message.trim();
  if (!t) return t;
  const first = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?)]$/.test(first) ? first : `${first}.`;
}

export interface PlacedErrors {
  /** `${uid}:${field}` or `general:${field}` → the messages shown under that control. */
  fields: Record<string, string[]>;
  /** Errors no control owns (a version, volumesRoot, the file itself): shown in a banner with their path. */
  banner: FieldError[];
  /** The first error's place, for moving focus to it. */
  first: { uid: string | null; section: Section | 'general'; field: string } | null;
  /** `${uid}:${field}` → the field's value when the error was found (see liveFields). */
  values?: Record<string, string>;
}

/**
 * Places the errors of a config whose profiles were, in order, the drafts `uids`. With the drafts
 * themselves, each error remembers the value it was found for, so it goes once the value changes.
 */
export function placeErrors(errors: readonly FieldError[], uids: readonly string[], drafts?: readonly ProfileDraft[]): PlacedErrors {
  const out: PlacedErrors = { fields: {}, banner: [], first: null, values: {} };
  const add = (key: string, message: string) => (out.fields[key] ??= []).push(sentence(message));
  for (const e of errors) {
    const place = placeOf(e.path);
    if (place.kind === 'profile' && uids[place.index] !== undefined) {
      const uid = uids[place.index]!;
      add(`${uid}:${place.field}`, place.field === 'profile' ? `${e.path}: ${e.message}` : e.message);
      const d = drafts?.find((x) => x.uid === uid);
      if (d) out.values![`${uid}:${place.field}`] = fieldValue(d, place.field);
      out.first ??= { uid, section: place.section, field: place.field };
    } else if (place.kind === 'general') {
      add(`general:${place.field}`, e.message);
      out.first ??= { uid: null, section: 'general', field: place.field };
    } else out.banner.push(e);
  }
  return out;
}

/** The sections of a profile that hold at least one error, for a mark on their tab. */
export function sectionsWithErrors(fields: Record<string, string[]>, uid: string): Set<Section> {
  const out = new Set<Section>();
  for (const key of Object.keys(fields)) {
    if (!key.startsWith(`${uid}:`)) continue;
    const field = key.slice(uid.length + 1);
    const top = field.split('.')[0]!;
    out.add(top === 'profile' ? 'repository' : (PROFILE_FIELDS[top] ?? 'repository'));
  }
  return out;
}

/** What a control holds, as text to compare: an error found for one value does not belong to another. */
export function fieldValue(d: ProfileDraft, field: string): string {
  const [top, sub] = field.split('.') as [string, string | undefined];
  switch (top) {
    case 'name':
      return JSON.stringify([d.name, d.id]);
    case 'repository':
      if (sub && sub in d.ssh) return JSON.stringify([d.repoKind, d.ssh[sub as keyof ProfileDraft['ssh']]]);
      return JSON.stringify([d.repoKind, repositoryOf(d)]);
    case 'schedule':
      return JSON.stringify(scheduleOf(d));
    case 'prune':
      return JSON.stringify(d.keep);
    case 'monitor':
      return JSON.stringify(sub === 'pingUrl' ? d.pingUrl : sub === 'ntfyUrl' ? d.ntfyUrl : [d.pingUrl, d.ntfyUrl]);
    case 'profile':
      return JSON.stringify({ ...d, uid: '' });
    default: {
      const v = (d as unknown as Record<string, unknown>)[top];
      return JSON.stringify(v === undefined ? d.base[top] : v);
    }
  }
}

/** What the window itself finds wrong with a draft now (a port that is no port), by field. */
export function draftErrors(d: ProfileDraft): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of profileJson(d, 0).errors) {
    const place = placeOf(e.path);
    if (place.kind === 'profile') out[place.field] ??= sentence(e.message);
  }
  return out;
}

/**
 * The errors to show now. An error stays while its control holds the value it was found for; once
 * the value changes, the control shows what the window finds wrong with the new value, or nothing
 * (the engine checks it again at the next save). So a fixed field loses its error as it is fixed.
 */
export function liveFields(placed: PlacedErrors, drafts: readonly ProfileDraft[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const now = new Map<string, Record<string, string>>();
  for (const [key, messages] of Object.entries(placed.fields)) {
    const was = placed.values?.[key];
    const colon = key.indexOf(':');
    const uid = key.slice(0, colon);
    const field = key.slice(colon + 1);
    const d = drafts.find((x) => x.uid === uid);
    if (was === undefined || !d || was === fieldValue(d, field)) {
      out[key] = messages;
      continue;
    }
    if (!now.has(uid)) now.set(uid, draftErrors(d));
    const again = now.get(uid)![field];
    if (again) out[key] = [again];
  }
  return out;
}
