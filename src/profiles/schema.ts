import { z } from 'zod';
import { isHttpUrl } from '../ipc/monitor-url.js';
import { cronError } from '../schedule/cron.js';
import { migrateConfig, type MigrateOptions } from './migrate.js';
import { archiveGlob } from '../borg/argv.js';
import { isRemote, lexicalRepository, sshTarget } from '../borg/location.js';
import os from 'node:os';
import { expandHome } from '../paths.js';
import { excludeProblems } from './patterns.js';
import { lexicalFacts, placementFindings } from './placement.js';
import { closestNames, foldName } from '../suggest.js';

/** borg's encryption modes (`borg init --encryption`). */
export const ENCRYPTION_MODES = [
  'none',
  'authenticated',
  'authenticated-blake2',
  'repokey',
  'repokey-blake2',
  'keyfile',
  'keyfile-blake2',
] as const;
export type EncryptionMode = (typeof ENCRYPTION_MODES)[number];

/**
 * What a profile without "archiveName" has always meant. It says "daily" whatever the schedule, but
 * it is someone's prune filter (prune only touches archives matching it): a config.json written
 * before keeps meaning exactly this. Profiles created from now on get archiveNameFor(id) written into
 * config.json instead (the app, quickstart), so nothing new ever falls back on this one.
 */
export const DEFAULT_ARCHIVE_NAME = '{hostname}-daily-{now}';

/**
 * The archive names of a profile created now, written explicitly: true for any schedule (hourly,
 * daily, by hand) and its own, with its id after the host name and an "_" (which no id holds) before
 * the time, so profiles on one repository never prune each other's archives ("disk" and "disk-2").
 * The preferences window's draft (renderer/preferences/draft.ts) writes the same.
 */
export function archiveNameFor(id: string): string {
  return `{hostname}-${id}_{now}`;
}

const keep = z.number().int().min(0).optional();

const pruneSchema = z
  .object({
    keepWithin: z
      .string()
      .regex(/^\d+[HdwmyS]$/, 'must look like 24H, 7d, 4w, 6m or 1y')
      .optional(),
    keepLast: keep,
    keepMinutely: keep,
    keepHourly: keep,
    keepDaily: keep,
    keepWeekly: keep,
    keepMonthly: keep,
    keepYearly: keep,
  })
  .strict()
  .refine((p) => Object.values(p).some((v) => v !== undefined && v !== 0), {
    message: 'keeps nothing: set at least one keep* rule, or use null to disable pruning',
  });
export type PruneRules = z.infer<typeof pruneSchema>;

const nonEmpty = z.string().trim().min(1, 'must not be empty');

/**
 * Placeholders that differ from one run to the next. Without one, the second run fails because the
 * archive already exists. A `{now:FORMAT}` is taken on trust: `{now:%Y-%m-%d}` is unique per day.
 */
const PER_RUN = /\{(now|utcnow|uuid4)(:[^}]*)?\}/;

/** Only `~/…` is expanded; anything else not absolute would silently mean a folder in the home folder. */
function isAbsoluteSource(source: string): boolean {
  return source === '~' || source.startsWith('~/') || source.startsWith('/');
}

const source = nonEmpty.refine(
  (v) => v === '' || isAbsoluteSource(v),
  (v) => ({ message: `is a relative path: write "~/${v}" for a folder in your home folder, or an absolute path` }),
);

/**
 * A local repository is absolute or under `~`, and `~` is expanded here: borg itself does not expand
 * it (it would make a folder named "~" in whatever the working directory is). ssh locations pass as
 * written.
 */
const repositorySchema = nonEmpty
  .refine(
    (v) => v === '' || isRemote(v) || isAbsoluteSource(v),
    (v) => ({ message: `is a relative path: write "~/${v}" for a folder in your home folder, an absolute path, or ssh://user@host/path` }),
  )
  .refine(
    (v) => {
      const port = sshTarget(v)?.port;
      return port === undefined || (port >= 1 && port <= 65535);
    },
    { message: 'has an ssh port outside 1–65535' },
  )
  .transform((v) => (isRemote(v) ? v : expandHome(v)));

/**
 * `borg check` and the restore drill after a backup, every `everyDays` days (0 = never on their own;
 * `dandelion check` / `drill` still run them). `verifyData` makes the check read and authenticate
 * every piece of data too (slow: as long as reading the whole repository).
 */
const checkSchema = z
  .object(
    {
      everyDays: z
        .number({ invalid_type_error: 'must be a number of days (0 = never)' })
        .min(0, 'must be 0 (never) or a number of days')
        .max(3650, 'must be at most 3650 days')
        .default(30),
      verifyData: z.boolean({ invalid_type_error: 'must be true or false' }).default(false),
    },
    {
      errorMap: (issue, ctx) =>
        issue.code === 'invalid_type'
          ? { message: 'must be an object like { "everyDays": 30, "verifyData": false }' }
          : { message: ctx.defaultError },
    },
  )
  .strict()
  .default({});
export type CheckPolicy = z.infer<typeof checkSchema>;

/**
 * A monitoring URL: http or https only (a ping goes out over the network by itself, so no file: or
 * other scheme). The message never repeats the value: the URL carries the check's secret token.
 */
const monitorUrl = z
  .string({ invalid_type_error: 'must be an http:// or https:// URL, or null' })
  .trim()
  .max(2048, 'must be at most 2048 characters')
  .refine((v) => isHttpUrl(v), 'must be an http:// or https:// URL (e.g. https://hc-ping.com/…)')
  .nullable()
  .default(null);

/**
 * Someone hears about it when backups stop (src/monitor/): `pingUrl` a healthchecks.io-style check
 * (hosted or self-hosted Healthchecks, or an Uptime Kuma push URL), `ntfyUrl` an ntfy topic that gets
 * a short message on failure. null (or absent) = none.
 */
const monitorSchema = z
  .object(
    { pingUrl: monitorUrl, ntfyUrl: monitorUrl },
    {
      errorMap: (issue, ctx) =>
        issue.code === 'invalid_type'
          ? { message: 'must be an object like { "pingUrl": "https://hc-ping.com/…", "ntfyUrl": null }' }
          : { message: ctx.defaultError },
    },
  )
  .strict();
export type MonitorSettings = z.infer<typeof monitorSchema>;

export const profileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes'),
    /** Trimmed; a name of only spaces is refused ("must not be empty"), not silently dropped. */
    name: nonEmpty.optional(),
    repository: repositorySchema,
    sshKey: nonEmpty.nullable().optional(),
    /** Needed only to create a repository; for an existing one the engine finds it out. */
    encryption: z
      .enum(ENCRYPTION_MODES, {
        errorMap: () => ({ message: `must be one of ${ENCRYPTION_MODES.join(', ')}` }),
      })
      .nullable()
      .optional(),
    passcommand: nonEmpty.nullable().optional(),
    sources: z.array(source).min(1, 'needs at least one folder to back up'),
    excludes: z.array(nonEmpty).default([]),
    archiveName: nonEmpty
      .refine((v) => !v.includes('/') && !v.includes('::'), 'must not contain "/" or "::"')
      .refine(
        (v) => v === '' || PER_RUN.test(v),
        'has no {now}: the second run would fail because the archive already exists; add {now} (or {utcnow}, {uuid4}), e.g. "docs-{now}"',
      )
      .default(DEFAULT_ARCHIVE_NAME),
    compression: nonEmpty
      .regex(/^(none|lz4|zstd|zlib|lzma|auto|obfuscate)(,[a-z0-9]+)*$/, 'not a borg compression spec (e.g. lz4, zstd,3, auto,lzma,6)')
      .default('lz4'),
    oneFileSystem: z.boolean().default(false),
    excludeCaches: z.boolean().default(true),
    prune: pruneSchema.nullable().default({ keepDaily: 7, keepWeekly: 4, keepMonthly: 6 }),
    schedule: z
      .string()
      .superRefine((value, ctx) => {
        const message = cronError(value);
        if (message !== null) ctx.addIssue({ code: z.ZodIssueCode.custom, message });
      })
      .nullable()
      .optional(),
    volume: z
      .string()
      .min(1)
      .refine((v) => !v.includes('/'), 'is a folder name under volumesRoot, not a path')
      .nullable()
      .optional(),
    minIntervalHours: z.number().min(0).default(0),
    overdueAfterHours: z.number().positive().nullable().optional(),
    skipOnBattery: z.boolean().default(false),
    check: checkSchema,
    monitor: monitorSchema.nullable().optional(),
    borgPath: nonEmpty.nullable().optional(),
  })
  .strict();

export type Profile = z.infer<typeof profileSchema>;

/**
 * What makes a backup of a valid profile hollow, found without the filesystem: an exclude borg would
 * refuse or that leaves out a whole source (patterns.ts), a repository inside a source or the other
 * way round (placement.ts). The engine repeats the placement check with stat and realpath at save
 * and before each run.
 */
function hollowProfile(p: Profile, ctx: z.RefinementCtx): void {
  const home = os.homedir();
  for (const problem of excludeProblems(p.excludes, p.sources, home))
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['excludes', problem.index], message: problem.message });
  const facts = lexicalFacts(p, home, null);
  for (const finding of facts ? placementFindings(facts) : []) {
    const at = /^sources\[(\d+)\]$/.exec(finding.field);
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: at ? ['sources', Number(at[1])] : [finding.field], message: finding.message });
  }
}

const checkedProfile = profileSchema.superRefine(hollowProfile);
export type ProfileInput = z.input<typeof profileSchema>;

/**
 * What the menu-bar app tells through notifications besides failures, which always notify. Files
 * written before this was an object hold one of these words instead.
 */
export const NOTIFICATION_LEVELS = ['all', 'failures', 'none'] as const;
export type NotificationLevel = (typeof NOTIFICATION_LEVELS)[number];

/** A Map, not an object: a word such as "toString" must not find anything. */
const LEGACY_NOTIFICATIONS = new Map<unknown, Record<string, boolean>>([
  ['all', { success: true, warnings: true, overdue: true }],
  ['failures', {}],
  ['none', { success: false, warnings: false, overdue: false }],
]);

const notificationsSchema = z
  .object(
    {
      success: z.boolean().default(false),
      warnings: z.boolean().default(true),
      overdue: z.boolean().default(true),
    },
    {
      errorMap: (issue, ctx) =>
        issue.code === 'invalid_type'
          ? {
              message: `must be an object like { "success": false, "warnings": true, "overdue": true }, or one of ${NOTIFICATION_LEVELS.join(', ')}`,
            }
          : { message: ctx.defaultError },
    },
  )
  .strict();

/** Settings only the menu-bar app reads; the engine, CLI and daemon ignore them. */
export const appSettingsSchema = z
  .object({
    notifications: z.preprocess((v) => LEGACY_NOTIFICATIONS.get(v) ?? v, notificationsSchema).default({}),
    /** Absent until the app first offered it: the app turns Open at Login on at its first launch and writes true. */
    openAtLogin: z.boolean().optional(),
  })
  .strict();
export type AppSettings = z.infer<typeof appSettingsSchema>;

export const configSchema = z
  .object({
    /** Checked (and older files converted) by migrateConfig before the schema runs. */
    version: z.number().int().positive().optional(),
    app: appSettingsSchema.optional(),
    volumesRoot: nonEmpty.nullable().optional(),
    borgPath: nonEmpty.nullable().optional(),
    profiles: z.array(checkedProfile).default([]),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** The app settings with their defaults filled in, whether or not config.json has an `app` object. */
export function appSettings(config: Config): AppSettings {
  return config.app ?? appSettingsSchema.parse({});
}

/** `profiles[1].schedule` — the path a person would look for in config.json. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out || '(top level)';
}

export interface FieldError {
  path: string;
  message: string;
  /** Where in config.json's text (1-based), for an error in the text itself. */
  line?: number;
  column?: number;
  /** The setting names the schema does not know, for an `unknown field(s)` error. */
  unknown?: string[];
  /** For each of `unknown`, the setting it most likely is (`prune.keepDaily`), or null: see suggestField. */
  suggestions?: (string | null)[];
}

export type ParseResult = { ok: true; config: Config } | { ok: false; errors: FieldError[] };

/** Checked on the raw input so a duplicate is reported alongside the other problems, not after they are fixed. */
function duplicateIds(value: unknown): FieldError[] {
  const profiles = (value as { profiles?: unknown })?.profiles;
  if (!Array.isArray(profiles)) return [];
  const seen = new Map<unknown, number>();
  const errors: FieldError[] = [];
  profiles.forEach((p: unknown, i) => {
    const id = (p as { id?: unknown })?.id;
    if (typeof id !== 'string') return;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, i);
    else errors.push({ path: `profiles[${i}].id`, message: `duplicate id "${id}" (also profiles[${first}])` });
  });
  return errors;
}

/** One element of an archive glob: `*`, or one character out of a set (null = any character). */
type GlobToken = { star: true } | { star: false; chars: string | null };

function globTokens(glob: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    const close = c === '[' ? glob.indexOf(']', i + 2) : -1;
    if (c === '*') tokens.push({ star: true });
    else if (c === '?') tokens.push({ star: false, chars: null });
    else if (close > 0) {
      tokens.push({ star: false, chars: glob.slice(i + 1, close) });
      i = close;
    } else tokens.push({ star: false, chars: c });
  }
  return tokens;
}

/** A character both sets contain, or null when they share none. */
function common(a: string | null, b: string | null): string | null {
  if (a === null) return b === null ? 'x' : b[0]!;
  if (b === null) return a[0]!;
  return [...a].find((c) => b.includes(c)) ?? null;
}

/**
 * A name that matches both globs, or null when none does. The globs are those archiveGlob makes:
 * `*`, `?`, `[…]` as a plain set of characters (archiveGlob only writes `[*]`-style escapes), the
 * rest literal. A walk over pairs of positions, one in each glob (the product of the two automata).
 */
export function globsWitness(a: string, b: string): string | null {
  const ta = globTokens(a);
  const tb = globTokens(b);
  const seen = new Set<string>();
  const queue: [number, number, string][] = [[0, 0, '']];
  while (queue.length) {
    const [i, j, name] = queue.shift()!;
    const key = `${i},${j}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === ta.length && j === tb.length) return name;
    const x = ta[i];
    const y = tb[j];
    // A star may match nothing; one that matches a character stays where it is.
    if (x?.star) queue.push([i + 1, j, name]);
    if (y?.star) queue.push([i, j + 1, name]);
    if (!x || !y || (x.star && y.star)) continue;
    const c = common(x.star ? null : x.chars, y.star ? null : y.chars);
    if (c !== null) queue.push([x.star ? i : i + 1, y.star ? j : j + 1, name + c]);
  }
  return null;
}

/** Whether some archive name matches both globs. */
export function globsOverlap(a: string, b: string): boolean {
  return globsWitness(a, b) !== null;
}

/**
 * Two profiles on one repository whose archive globs overlap would prune (and list) each other's
 * archives. Repositories are compared in their lexical form (`~`, `.`, trailing `/`, the default ssh
 * port, scp-style), not the canonical one: validation stays synchronous and never touches the
 * filesystem, so two spellings that meet only through a symlink are not caught here (the repository
 * lock still keeps their runs apart). Placeholders such as `{hostname}` count as literal text: both
 * profiles run on the same machine, so they expand alike. Profiles that are invalid on their own, or
 * repeat an id, are left to those errors.
 */
function overlappingArchives(value: unknown): FieldError[] {
  const profiles = (value as { profiles?: unknown })?.profiles;
  if (!Array.isArray(profiles)) return [];
  const valid: { index: number; profile: Profile; repository: string; glob: string }[] = [];
  const errors: FieldError[] = [];
  profiles.forEach((raw: unknown, index) => {
    const parsed = profileSchema.safeParse(raw);
    if (!parsed.success) return;
    const profile = parsed.data;
    const mine = { index, profile, repository: lexicalRepository(profile.repository), glob: archiveGlob(profile.archiveName) };
    const other = valid.find((o) => o.profile.id !== profile.id && o.repository === mine.repository && globsOverlap(o.glob, mine.glob));
    valid.push(mine);
    if (!other) return;
    const both =
      other.glob === mine.glob
        ? `both match "${mine.glob}"`
        : `"${other.glob}" and "${mine.glob}" both match "${globsWitness(other.glob, mine.glob)!}"`;
    errors.push({
      path: `profiles[${index}].archiveName`,
      message: `overlaps the archives of profile "${other.profile.id}" on the same repository (${both}); give each profile its own archive name`,
    });
  });
  return errors;
}

/** The fields an object takes, those of each object inside it, and those of the object it is inside. */
export interface FieldsHere {
  known: readonly string[];
  /** `prune` → keepDaily, keepWeekly, … */
  nested: ReadonlyMap<string, readonly string[]>;
  /** The object this one is a field of (`prune` in a profile): its name there and the profile's fields. */
  parent: { name: string; known: readonly string[] } | null;
}

/** Past optional, nullable, default, refinements and preprocessing: the schema that checks the value. */
function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
  for (;;) {
    if (schema instanceof z.ZodEffects) schema = schema.innerType() as z.ZodTypeAny;
    else if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) schema = schema.unwrap() as z.ZodTypeAny;
    else if (schema instanceof z.ZodDefault) schema = schema.removeDefault() as z.ZodTypeAny;
    else return schema;
  }
}

const fieldsOf = (o: z.AnyZodObject): string[] => Object.keys(o.shape as object);

/** The fields config.json takes at an issue's path (current shape), or null where there is no object. */
export function fieldsAt(path: readonly (string | number)[]): FieldsHere | null {
  let at = unwrap(configSchema);
  let parent: FieldsHere['parent'] = null;
  for (const part of path) {
    if (at instanceof z.ZodArray && typeof part === 'number') {
      at = unwrap(at.element as z.ZodTypeAny);
      parent = null;
    } else if (at instanceof z.ZodObject && Object.hasOwn(at.shape, part)) {
      parent = { name: String(part), known: fieldsOf(at) };
      at = unwrap((at.shape as Record<string, z.ZodTypeAny>)[part]!);
    } else return null;
  }
  if (!(at instanceof z.ZodObject)) return null;
  const nested = new Map<string, string[]>();
  for (const [name, field] of Object.entries(at.shape as Record<string, z.ZodTypeAny>)) {
    const inner = unwrap(field);
    if (inner instanceof z.ZodObject) nested.set(name, fieldsOf(inner));
  }
  return { known: fieldsOf(at), nested, parent };
}

/**
 * The setting an unknown field most likely is, as a window and the CLI name it: another spelling of a
 * field here (`schedule` for `Schedule`, `excludes` for `exclude`, `repository` for `repo`), a field of
 * an object inside this one (`prune.keepDaily` for `keepDaily` in a profile), or one beside the object
 * it was put in (`schedule (beside prune, not in it)`). Null when nothing is close.
 */
export function suggestField(key: string, here: FieldsHere): string | null {
  const folded = foldName(key);
  const same = here.known.filter((k) => foldName(k) === folded);
  if (same.length) return same.join(' or ');
  for (const [name, fields] of here.nested) {
    const field = fields.find((k) => foldName(k) === folded);
    if (field) return `${name}.${field}`;
  }
  const up = here.parent?.known.find((k) => foldName(k) === folded);
  if (up) return `${up} (beside ${here.parent!.name}, not in it)`;
  const near = closestNames(key, here.known);
  if (near.length) return near.join(' or ');
  for (const [name, fields] of here.nested) {
    const inside = closestNames(key, fields);
    if (inside.length === 1) return `${name}.${inside[0]!}`;
  }
  return null;
}

/** The error for the unknown fields of one object: each named, with what it likely is where that is close. */
function unknownFieldsError(path: readonly (string | number)[], keys: string[]): FieldError {
  const here = fieldsAt(path);
  const suggestions = keys.map((key) => (here ? suggestField(key, here) : null));
  const named = keys.map((key, i) => (suggestions[i] ? `${key} (did you mean ${suggestions[i]}?)` : key));
  return { path: formatPath(path), message: `unknown field(s) ${named.join(', ')}`, unknown: keys, suggestions };
}

/**
 * The one validation entry: brings an older config up to the current version (in memory), then
 * validates it. Field paths refer to the current shape.
 */
export function parseConfig(raw: unknown, migrations?: MigrateOptions): ParseResult {
  const migrated = migrateConfig(raw, migrations);
  if (!migrated.ok) return { ok: false, errors: [migrated.error] };
  const value = migrated.value;
  const result = configSchema.safeParse(value);
  const errors = result.success
    ? []
    : result.error.issues.map((issue): FieldError =>
        issue.code === 'unrecognized_keys'
          ? unknownFieldsError(issue.path, issue.keys)
          : { path: formatPath(issue.path), message: issue.message },
      );
  errors.push(...duplicateIds(value), ...overlappingArchives(value));
  if (result.success && !errors.length) return { ok: true, config: result.data };
  return { ok: false, errors };
}

export function profileLabel(p: Profile): string {
  return p.name ?? p.id;
}
