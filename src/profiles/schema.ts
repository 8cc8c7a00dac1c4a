import { z } from 'zod';
import { cronError } from '../schedule/cron.js';
import { migrateConfig, type MigrateOptions } from './migrate.js';

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

export const DEFAULT_ARCHIVE_NAME = '{hostname}-daily-{now}';

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

export const profileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes'),
    name: nonEmpty.optional(),
    repository: nonEmpty,
    sshKey: nonEmpty.nullable().optional(),
    /** Needed only to create a repository; for an existing one the engine finds it out. */
    encryption: z
      .enum(ENCRYPTION_MODES, {
        errorMap: () => ({ message: `must be one of ${ENCRYPTION_MODES.join(', ')}` }),
      })
      .nullable()
      .optional(),
    passcommand: nonEmpty.nullable().optional(),
    sources: z.array(nonEmpty).min(1, 'needs at least one folder to back up'),
    excludes: z.array(nonEmpty).default([]),
    archiveName: nonEmpty
      .refine((v) => !v.includes('/') && !v.includes('::'), 'must not contain "/" or "::"')
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
    borgPath: nonEmpty.nullable().optional(),
  })
  .strict();

export type Profile = z.infer<typeof profileSchema>;
export type ProfileInput = z.input<typeof profileSchema>;

/** How much the menu-bar app tells through notifications. */
export const NOTIFICATION_LEVELS = ['all', 'failures', 'none'] as const;
export type NotificationLevel = (typeof NOTIFICATION_LEVELS)[number];

/** Settings only the menu-bar app reads; the engine, CLI and daemon ignore them. */
export const appSettingsSchema = z
  .object({
    notifications: z
      .enum(NOTIFICATION_LEVELS, { errorMap: () => ({ message: `must be one of ${NOTIFICATION_LEVELS.join(', ')}` }) })
      .default('failures'),
    openAtLogin: z.boolean().default(false),
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
    profiles: z.array(profileSchema).default([]),
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
    : result.error.issues.map((issue) => ({
        path: formatPath(issue.path),
        message: issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message,
      }));
  errors.push(...duplicateIds(value));
  if (result.success && !errors.length) return { ok: true, config: result.data };
  return { ok: false, errors };
}

export function profileLabel(p: Profile): string {
  return p.name ?? p.id;
}
