import { describe, expect, it } from 'vitest';
import {
  appSettings,
  appSettingsSchema,
  DEFAULT_ARCHIVE_NAME,
  ENCRYPTION_MODES,
  formatPath,
  globsWitness,
  parseConfig,
  profileLabel,
  type Profile,
} from '../../src/profiles/schema.js';

/** The smallest valid profile; each test changes one field. */
const minimal = { id: 'docs', repository: '/Volumes/backup-disk/repo', sources: ['~/Documents'] };

function parsedProfile(extra: Record<string, unknown> = {}): Profile {
  const r = parseConfig({ profiles: [{ ...minimal, ...extra }] });
  if (!r.ok) throw new Error(`expected a valid profile, got ${JSON.stringify(r.errors)}`);
  return r.config.profiles[0]!;
}

/** `path: message` for each problem, the way the CLI prints them. */
function problems(config: unknown): string[] {
  const r = parseConfig(config);
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
}

const profileProblems = (extra: Record<string, unknown>) => problems({ profiles: [{ ...minimal, ...extra }] });

const KEEP_NOTHING = 'profiles[0].prune: keeps nothing: set at least one keep* rule, or use null to disable pruning';

describe('prune rules', () => {
  it('refuses { keepDaily: 0 } alone: it would keep nothing and prune every archive', () => {
    expect(profileProblems({ prune: { keepDaily: 0 } })).toEqual([KEEP_NOTHING]);
  });

  it('refuses rules that are all zero, and an empty object', () => {
    expect(profileProblems({ prune: { keepDaily: 0, keepWeekly: 0, keepLast: 0 } })).toEqual([KEEP_NOTHING]);
    expect(profileProblems({ prune: {} })).toEqual([KEEP_NOTHING]);
    // What a settings form hands over when every field was cleared (no JSON file has undefined).
    expect(profileProblems({ prune: { keepDaily: undefined, keepWeekly: undefined } })).toEqual([KEEP_NOTHING]);
  });

  it('accepts a zero beside a rule that keeps something', () => {
    expect(parsedProfile({ prune: { keepDaily: 0, keepWeekly: 4 } }).prune).toEqual({ keepDaily: 0, keepWeekly: 4 });
  });

  it.each(['keepLast', 'keepMinutely', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'])(
    'accepts %s on its own',
    (rule) => {
      expect(parsedProfile({ prune: { [rule]: 1 } }).prune).toEqual({ [rule]: 1 });
    },
  );

  it.each(['24H', '7d', '4w', '6m', '1y', '90S', '365d'])('accepts keepWithin %s on its own', (within) => {
    expect(parsedProfile({ prune: { keepWithin: within } }).prune).toEqual({ keepWithin: within });
  });

  it.each(['7', 'd', '7 d', '7days', 'x7d', '7dd', '7D', '-7d', ''])('refuses keepWithin %j, saying what it should look like', (within) => {
    expect(profileProblems({ prune: { keepWithin: within, keepDaily: 7 } })).toEqual([
      'profiles[0].prune.keepWithin: must look like 24H, 7d, 4w, 6m or 1y',
    ]);
  });

  it('refuses negative and fractional counts', () => {
    expect(profileProblems({ prune: { keepDaily: -1 } })[0]).toMatch(/^profiles\[0\]\.prune\.keepDaily: /);
    expect(profileProblems({ prune: { keepDaily: 1.5 } })[0]).toMatch(/^profiles\[0\]\.prune\.keepDaily: /);
  });

  it('refuses a rule borg does not have', () => {
    expect(profileProblems({ prune: { keepDaily: 7, keepForever: 1 } })).toEqual(['profiles[0].prune: unknown field(s) keepForever']);
  });

  it('never prunes with null, and keeps 7 daily, 4 weekly, 6 monthly by default', () => {
    expect(parsedProfile({ prune: null }).prune).toBeNull();
    expect(parsedProfile().prune).toEqual({ keepDaily: 7, keepWeekly: 4, keepMonthly: 6 });
  });
});

describe('profile fields', () => {
  it('fills the documented defaults', () => {
    expect(parsedProfile()).toEqual({
      ...minimal,
      excludes: [],
      archiveName: DEFAULT_ARCHIVE_NAME,
      compression: 'lz4',
      oneFileSystem: false,
      excludeCaches: true,
      prune: { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 },
      minIntervalHours: 0,
      skipOnBattery: false,
      check: { everyDays: 30, verifyData: false },
    });
    expect(DEFAULT_ARCHIVE_NAME).toBe('{hostname}-daily-{now}');
  });

  it('checks every 30 days without --verify-data unless told, and takes 0 for never and fractions of a day', () => {
    expect(parsedProfile({ check: { verifyData: true } }).check).toEqual({ everyDays: 30, verifyData: true });
    expect(parsedProfile({ check: { everyDays: 0 } }).check).toEqual({ everyDays: 0, verifyData: false });
    expect(parsedProfile({ check: { everyDays: 0.5 } }).check.everyDays).toBe(0.5);
  });

  it('says what is wrong with each field of check', () => {
    expect(profileProblems({ check: { everyDays: -1 } })).toEqual(['profiles[0].check.everyDays: must be 0 (never) or a number of days']);
    expect(profileProblems({ check: { everyDays: '30' } })).toEqual(['profiles[0].check.everyDays: must be a number of days (0 = never)']);
    expect(profileProblems({ check: { verifyData: 'yes' } })).toEqual(['profiles[0].check.verifyData: must be true or false']);
    expect(profileProblems({ check: 30 })).toEqual(['profiles[0].check: must be an object like { "everyDays": 30, "verifyData": false }']);
    expect(profileProblems({ check: { repair: true } })).toEqual(['profiles[0].check: unknown field(s) repair']);
  });

  it.each(['ssh://u@h/r', 'ssh://u@h:1/r', 'ssh://u@h:65535/r', 'ssh://u@[::1]:2222/r', 'u@h:r', 'u@h:70000'])(
    'accepts the repository %j (an ssh port from 1 to 65535, or none)',
    (repository) => {
      expect(profileProblems({ repository })).toEqual([]);
    },
  );

  it.each(['ssh://u@h:0/r', 'ssh://u@h:65536/r', 'ssh://u@h:70000/./r', 'ssh://h:99999'])('refuses the ssh port of %j', (repository) => {
    expect(profileProblems({ repository })).toEqual(['profiles[0].repository: has an ssh port outside 1–65535']);
  });

  it('says "~/name" for a relative source, trimmed of the spaces around it', () => {
    expect(profileProblems({ sources: ['  Documents '] })).toEqual([
      'profiles[0].sources[0]: is a relative path: write "~/Documents" for a folder in your home folder, or an absolute path',
    ]);
  });

  it.each(['a', 'docs', '0', 'off-site-2'])('accepts the id %j', (id) => {
    expect(parsedProfile({ id }).id).toBe(id);
  });

  it.each(['', 'Docs', '-docs', 'my docs', 'docs!', 'a_b', 'docs\n'])('refuses the id %j', (id) => {
    expect(profileProblems({ id })).toEqual(['profiles[0].id: use lower-case letters, digits and dashes']);
  });

  it('refuses blank text where text is required, and trims it where given', () => {
    for (const field of ['name', 'repository', 'sshKey', 'passcommand', 'borgPath']) {
      expect(profileProblems({ [field]: '   ' })).toEqual([`profiles[0].${field}: must not be empty`]);
    }
    expect(parsedProfile({ name: '  Documents  ' }).name).toBe('Documents');
    expect(profileProblems({ repository: undefined })[0]).toMatch(/^profiles\[0\]\.repository: /);
  });

  it('takes null for the optional paths and commands', () => {
    expect(
      parsedProfile({ sshKey: null, passcommand: null, borgPath: null, volume: null, schedule: null, overdueAfterHours: null }),
    ).toMatchObject({
      sshKey: null,
      passcommand: null,
      borgPath: null,
      volume: null,
      schedule: null,
      overdueAfterHours: null,
    });
  });

  it('accepts every borg encryption mode, null and none at all', () => {
    for (const encryption of ENCRYPTION_MODES) expect(parsedProfile({ encryption }).encryption).toBe(encryption);
    expect(parsedProfile({ encryption: null }).encryption).toBeNull();
    expect(parsedProfile().encryption).toBeUndefined();
  });

  it('lists the encryption modes when given another', () => {
    expect(profileProblems({ encryption: 'rot13' })).toEqual([
      'profiles[0].encryption: must be one of none, authenticated, authenticated-blake2, repokey, repokey-blake2, keyfile, keyfile-blake2',
    ]);
  });

  it('needs at least one source, and no blank ones', () => {
    expect(profileProblems({ sources: [] })).toEqual(['profiles[0].sources: needs at least one folder to back up']);
    expect(profileProblems({ sources: ['/a', ' '] })).toEqual(['profiles[0].sources[1]: must not be empty']);
    expect(profileProblems({ excludes: [''] })).toEqual(['profiles[0].excludes[0]: must not be empty']);
  });

  it('refuses an archive name borg would read as a path or an archive reference', () => {
    expect(profileProblems({ archiveName: 'docs/{now}' })).toEqual(['profiles[0].archiveName: must not contain "/" or "::"']);
    expect(profileProblems({ archiveName: 'repo::{now}' })).toEqual(['profiles[0].archiveName: must not contain "/" or "::"']);
    expect(parsedProfile({ archiveName: 'docs-{now:%H:%M}' }).archiveName).toBe('docs-{now:%H:%M}');
  });

  it.each(['none', 'lz4', 'zstd', 'zstd,3', 'zlib,9', 'lzma,6', 'auto,lzma,6', 'obfuscate,110,zstd,3'])(
    'accepts the compression %j',
    (compression) => {
      expect(parsedProfile({ compression }).compression).toBe(compression);
    },
  );

  it.each(['gzip', 'LZ4', 'lz4,', 'xlz4', 'lz4x', 'zstd 3', 'zstd,', ',zstd', 'auto,LZMA'])('refuses the compression %j', (compression) => {
    expect(profileProblems({ compression })).toEqual([
      'profiles[0].compression: not a borg compression spec (e.g. lz4, zstd,3, auto,lzma,6)',
    ]);
  });

  it('takes a volume as a folder name under volumesRoot, never a path or blank', () => {
    expect(parsedProfile({ volume: 'backup-disk' }).volume).toBe('backup-disk');
    expect(profileProblems({ volume: '/Volumes/backup-disk' })).toEqual([
      'profiles[0].volume: is a folder name under volumesRoot, not a path',
    ]);
    expect(profileProblems({ volume: '' })).toHaveLength(1);
    expect(profileProblems({ volume: '' })[0]).toMatch(/^profiles\[0\]\.volume: /);
  });

  it('reports a schedule that is not cron under the schedule field', () => {
    expect(parsedProfile({ schedule: '0 12 * * *' }).schedule).toBe('0 12 * * *');
    const [problem, ...rest] = profileProblems({ schedule: 'every day at noon' });
    expect(problem).toBe(
      'profiles[0].schedule: expected 5 fields (minute hour day month weekday), got 4; e.g. 0 12 * * * = every day at noon',
    );
    expect(rest).toEqual([]);
  });

  it('takes minIntervalHours from 0 and overdueAfterHours above 0', () => {
    expect(parsedProfile({ minIntervalHours: 0.5, overdueAfterHours: 36 })).toMatchObject({ minIntervalHours: 0.5, overdueAfterHours: 36 });
    expect(profileProblems({ minIntervalHours: -1 })[0]).toMatch(/^profiles\[0\]\.minIntervalHours: /);
    expect(profileProblems({ overdueAfterHours: 0 })[0]).toMatch(/^profiles\[0\]\.overdueAfterHours: /);
  });

  it('keeps the booleans as given', () => {
    expect(parsedProfile({ oneFileSystem: true, excludeCaches: false, skipOnBattery: true })).toMatchObject({
      oneFileSystem: true,
      excludeCaches: false,
      skipOnBattery: true,
    });
    expect(profileProblems({ skipOnBattery: 'yes' })[0]).toMatch(/^profiles\[0\]\.skipOnBattery: /);
  });

  it('names every unknown field of a profile in one message', () => {
    expect(profileProblems({ colour: 'red', size: 3 })).toEqual(['profiles[0]: unknown field(s) colour, size']);
  });

  it('labels a profile by its name, or its id when it has none', () => {
    expect(profileLabel(parsedProfile({ name: 'My documents' }))).toBe('My documents');
    expect(profileLabel(parsedProfile())).toBe('docs');
  });
});

describe('top-level fields and app settings', () => {
  it('reads an empty object as a config without profiles', () => {
    const r = parseConfig({});
    expect(r).toEqual({ ok: true, config: expect.objectContaining({ profiles: [] }) });
  });

  it('refuses what is not a config object, at the top level', () => {
    for (const raw of [null, [], 'profiles', 3]) {
      const r = parseConfig(raw);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors[0]?.path).toBe('(top level)');
    }
  });

  it('names unknown top-level fields', () => {
    expect(problems({ profiles: [], theme: 'dark' })).toEqual(['(top level): unknown field(s) theme']);
  });

  it('refuses a blank volumesRoot or borgPath', () => {
    expect(problems({ volumesRoot: ' ' })).toEqual(['volumesRoot: must not be empty']);
    expect(problems({ borgPath: '' })).toEqual(['borgPath: must not be empty']);
    const r = parseConfig({ volumesRoot: '/Volumes', borgPath: '/opt/homebrew/bin/borg' });
    expect(r.ok && r.config).toMatchObject({ volumesRoot: '/Volumes', borgPath: '/opt/homebrew/bin/borg' });
  });

  it('gives the app settings their defaults when config.json has no app object, or an empty one', () => {
    // Failures always notify; openAtLogin stays absent until the app has offered it once.
    const defaults = { notifications: { success: false, warnings: true, overdue: true } };
    const without = parseConfig({});
    expect(without.ok && appSettings(without.config)).toEqual(defaults);
    const empty = parseConfig({ app: {} });
    expect(empty.ok && empty.config.app).toEqual(defaults);
    expect(empty.ok && 'openAtLogin' in empty.config.app!).toBe(false);
  });

  it('fills the notification switches left out, and keeps those given', () => {
    const r = parseConfig({ app: { notifications: { warnings: false }, openAtLogin: false } });
    expect(r.ok && appSettings(r.config)).toEqual({
      notifications: { success: false, warnings: false, overdue: true },
      openAtLogin: false,
    });
  });

  it('reads the notification words of older files as the switches they meant', () => {
    const read = (notifications: string) => {
      const r = parseConfig({ app: { notifications } });
      return r.ok ? appSettings(r.config).notifications : r.errors;
    };
    expect(read('all')).toEqual({ success: true, warnings: true, overdue: true });
    expect(read('failures')).toEqual({ success: false, warnings: true, overdue: true });
    expect(read('none')).toEqual({ success: false, warnings: false, overdue: false });
  });

  it('explains what notifications must be when given anything else, and refuses unknown app settings', () => {
    const shape = 'must be an object like { "success": false, "warnings": true, "overdue": true }, or one of all, failures, none';
    expect(problems({ app: { notifications: 'loud' } })).toEqual([`app.notifications: ${shape}`]);
    // A name every object has is not one of the old words.
    expect(problems({ app: { notifications: 'toString' } })).toEqual([`app.notifications: ${shape}`]);
    expect(problems({ app: { notifications: null } })).toEqual([`app.notifications: ${shape}`]);
    expect(problems({ app: { notifications: { success: 'yes' } } })).toEqual([
      'app.notifications.success: Expected boolean, received string',
    ]);
    expect(problems({ app: { notifications: { failures: false } } })).toEqual(['app.notifications: unknown field(s) failures']);
    expect(problems({ app: { dockIcon: true } })).toEqual(['app: unknown field(s) dockIcon']);
    expect(problems({ app: { openAtLogin: 'yes' } })[0]).toMatch(/^app\.openAtLogin: /);
  });

  it('words only a wrong type of notifications its own way, leaving zod the other problems', () => {
    const r = appSettingsSchema.safeParse({ notifications: { failures: false } });
    expect(r.success).toBe(false);
    expect(!r.success && r.error.issues.map((i) => [i.code, i.message])).toEqual([
      ['unrecognized_keys', "Unrecognized key(s) in object: 'failures'"],
    ]);
  });
});

describe('duplicate profile ids', () => {
  it('reports each repeat against the first profile with that id', () => {
    // Each id its own archive name: profiles on one repository must not share one (see overlapping archives).
    const p = (id: string) => ({ ...minimal, id, archiveName: `${id}-{now}` });
    expect(problems({ profiles: [p('a'), p('b'), p('a'), p('a')] })).toEqual([
      'profiles[2].id: duplicate id "a" (also profiles[0])',
      'profiles[3].id: duplicate id "a" (also profiles[0])',
    ]);
  });

  it('reports a duplicate alongside the other problems of the file', () => {
    expect(problems({ profiles: [{ ...minimal, sources: [] }, minimal] })).toEqual([
      'profiles[0].sources: needs at least one folder to back up',
      'profiles[1].id: duplicate id "docs" (also profiles[0])',
    ]);
  });

  it('leaves entries without a string id to the schema instead of calling them duplicates', () => {
    const out = problems({ profiles: [null, { ...minimal, id: 5 }, { ...minimal, id: 5 }] });
    expect(out.some((line) => line.includes('duplicate'))).toBe(false);
    expect(out.length).toBeGreaterThan(0);
  });

  it('does not look for duplicates when profiles is not a list', () => {
    expect(problems({ profiles: { id: 'a' } })).toHaveLength(1);
  });
});

describe('formatPath', () => {
  it('writes the path a person would look for in config.json', () => {
    expect(formatPath(['profiles', 1, 'schedule'])).toBe('profiles[1].schedule');
    expect(formatPath(['profiles', 0, 'sources', 2])).toBe('profiles[0].sources[2]');
    expect(formatPath(['app', 'notifications'])).toBe('app.notifications');
    expect(formatPath([0, 'id'])).toBe('[0].id');
    expect(formatPath([])).toBe('(top level)');
  });
});

describe('archive names: per-run placeholders and globs', () => {
  it('reports a blank archive name once, as blank, not also as lacking {now}', () => {
    expect(profileProblems({ archiveName: '  ' })).toEqual(['profiles[0].archiveName: must not be empty']);
  });

  it('compares archive names holding glob characters literally, so docs[1] and docs[2] do not overlap', () => {
    const on = (id: string, archiveName: string) => ({ ...minimal, id, archiveName });
    expect(problems({ profiles: [on('one', 'docs[1]-{now}'), on('two', 'docs[2]-{now}')] })).toEqual([]);
  });

  it('finds a common name for two single-character wildcards', () => {
    expect(globsWitness('a?', 'a?')).toMatch(/^a.$/);
    expect(globsWitness('?b', 'x?')).toBe('xb');
  });
});
