import { describe, expect, it } from 'vitest';
import { calendarCron, intervalTiming, readLaunchd, volumeOf } from '../../src/import/launchd.js';
import { parsePlist, plainValue } from '../../src/import/plist.js';
import type { ImportResult } from '../../src/import/model.js';
import { parseConfig } from '../../src/profiles/schema.js';
import { fakeContext, fixture } from '../helpers/import-ctx.js';

const AT = { file: 'job.plist', line: 7 };

function report(r: ImportResult): string[] {
  return r.report.map((i) => `${i.kind} ${i.at?.line ?? '-'} [${i.profile ?? ''}] ${i.message}`);
}

function plist(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n${body}\n</plist>\n`;
}

const dict = (fields: Record<string, number>): string =>
  `<dict>${Object.entries(fields)
    .map(([k, v]) => `<key>${k}</key><integer>${v}</integer>`)
    .join('')}</dict>`;

const cal = (xml: string) => calendarCron(parsePlist(plist(xml)), AT);

describe('parsePlist', () => {
  it('reads dicts, arrays, strings, numbers, booleans, entities, CDATA and comments', () => {
    const v = parsePlist(
      plist(`<dict>
  <!-- a comment -->
  <key>S</key><string>a &amp; b &lt;c&gt; &#233;</string>
  <key>C</key><string><![CDATA[x < y]]></string>
  <key>N</key><integer>-3</integer>
  <key>R</key><real>1.5</real>
  <key>T</key><true/>
  <key>F</key><false/>
  <key>A</key><array><string>one</string><dict/></array>
  <key>E</key><string/>
</dict>`),
    );
    expect(plainValue(v)).toEqual({ S: 'a & b <c> é', C: 'x < y', N: -3, R: 1.5, T: true, F: false, A: ['one', {}], E: '' });
  });

  it('remembers the line of every key', () => {
    const v = parsePlist(fixture('/Users/me/Library/LaunchAgents/com.me.borg-backup.plist'));
    expect(v.type === 'dict' && [...v.keyLines]).toEqual([
      ['Label', 5],
      ['ProgramArguments', 7],
      ['StartCalendarInterval', 13],
      ['WatchPaths', 28],
      ['RunAtLoad', 32],
      ['StandardOutPath', 34],
      ['StandardErrorPath', 36],
    ]);
  });

  it('says what is wrong, with a line, for a file that is not a plist', () => {
    expect(() => parsePlist('<html></html>')).toThrow(/not an XML property list/);
    expect(() => parsePlist(plist('<dict>\n<key>A</key>\n<string>x</dict>'))).toThrow(/<string> is never closed/);
    expect(() => parsePlist(plist('<dict>\n<string>x</string></dict>'))).toThrow(expect.objectContaining({ line: 5 }));
  });
});

describe('StartCalendarInterval → one cron expression', () => {
  it('turns one dict into a cron expression, missing fields being any', () => {
    expect(cal(dict({ Hour: 3, Minute: 15 })).cron).toBe('15 3 * * *');
    expect(cal(dict({ Weekday: 7, Hour: 12, Minute: 0 })).cron).toBe('0 12 * * 0');
    expect(cal(dict({ Day: 1, Month: 6, Hour: 0, Minute: 5 })).cron).toBe('5 0 1 6 *');
  });

  it('runs at minute 0 of an hour given without a minute, and says so', () => {
    const c = cal(dict({ Hour: 4 }));
    expect(c.cron).toBe('0 4 * * *');
    expect(c.items[0]!.message).toMatch(/runs every minute of that hour/);
  });

  it('turns an array into one expression when it is every combination of its values', () => {
    const c = cal(`<array>${dict({ Hour: 9, Minute: 30 })}${dict({ Hour: 18, Minute: 30 })}</array>`);
    expect(c.cron).toBe('30 9,18 * * *');
    expect(c.items.map((i) => i.kind)).toEqual(['carried']);
    const days = cal(`<array>${[1, 2, 3, 4, 5].map((d) => dict({ Weekday: d, Hour: 8, Minute: 0 })).join('')}</array>`);
    expect(days.cron).toBe('0 8 * * 1,2,3,4,5');
  });

  it('otherwise takes the nearest expression that never runs less often, with a note', () => {
    const c = cal(`<array>${dict({ Hour: 9, Minute: 0 })}${dict({ Hour: 18, Minute: 30 })}</array>`);
    expect(c.cron).toBe('0,30 9,18 * * *');
    expect(c.items.map((i) => `${i.kind}: ${i.message}`)).toEqual([
      'note: The job\'s 2 start times (0 9 * * *; 30 18 * * *) do not fit one schedule; the profile runs at "0,30 9,18 * * *", which covers them all and may run more often.',
      'carried: Runs on the schedule "0,30 9,18 * * *" (StartCalendarInterval).',
    ]);
  });
});

describe('StartInterval → a schedule', () => {
  it('maps the intervals cron can say exactly', () => {
    const cases: [number, string][] = [
      [3600, '0 * * * *'],
      [900, '*/15 * * * *'],
      [60, '* * * * *'],
      [7200, '0 */2 * * *'],
      [86400, '0 0 * * *'],
    ];
    for (const [seconds, schedule] of cases) expect(intervalTiming(seconds, AT).timing, String(seconds)).toEqual({ schedule });
  });

  it('uses an hourly look and a minimum interval for the others, with a note', () => {
    const t = intervalTiming(5400, AT);
    expect(t.timing).toEqual({ schedule: '0 * * * *', minIntervalHours: 1.5 });
    expect(t.items[0]!.message).toBe(
      'StartInterval 5400 (every 90 minutes) fits no schedule; the profile looks every hour and backs up when the last backup is at least 1.5 hours old.',
    );
    expect(intervalTiming(172800, AT).timing).toEqual({ schedule: '0 * * * *', minIntervalHours: 48 });
    expect(intervalTiming(2700, AT).timing).toEqual({ schedule: '*/30 * * * *' });
  });
});

describe('volumeOf', () => {
  it('finds the disk name in a watched path under /Volumes', () => {
    expect(volumeOf('/Volumes/backup-disk')).toBe('backup-disk');
    expect(volumeOf('/Volumes/My Disk/borg')).toBe('My Disk');
    expect(volumeOf('/Users/me/Documents')).toBeNull();
  });
});

describe('readLaunchd', () => {
  const file = '/Users/me/Library/LaunchAgents/com.me.borg-backup.plist';

  it("imports the script the job runs, with the job's schedule (not a disk its server repository is not on), and the job as the one to unload", () => {
    const ctx = fakeContext();
    const r = readLaunchd(fixture(file), file, ctx);
    expect(ctx.reads).toEqual(['/Users/me/bin/borg-backup.sh']);
    expect(r.files).toEqual([file, '/Users/me/bin/borg-backup.sh']);
    expect(r.profiles.map((p) => [p.id, p.repository, p.schedule, p.volume])).toEqual([
      ['u123456-your-storagebox-de', 'ssh://u123456@u123456.your-storagebox.de:23/./backup/mbp2015', '30 9,18 * * *', undefined],
    ]);
    expect(r.oldJobs).toEqual([
      { kind: 'launchd', name: 'com.me.borg-backup', at: { file, line: 5 }, howToStop: 'launchctl bootout gui/501 com.me.borg-backup' },
    ]);
    expect(r.secrets.map((s) => s.at)).toEqual([{ file: '/Users/me/bin/borg-backup.sh', line: 6 }]);
    const p = parseConfig({ profiles: r.profiles });
    expect(p.ok ? [] : p.errors).toEqual([]);
  });

  it('reports the job line by line', () => {
    const r = readLaunchd(fixture(file), file, fakeContext());
    const id = 'u123456-your-storagebox-de';
    expect(report(r).filter((l) => r.report[report(r).indexOf(l)]!.at?.file === file)).toEqual([
      `carried 7 [${id}] The job runs /Users/me/bin/borg-backup.sh, imported with it.`,
      `carried 13 [${id}] Runs on the schedule "30 9,18 * * *" (StartCalendarInterval).`,
      `dropped 28 [${id}] WatchPaths /Volumes/backup-disk is left out: the repository is not on the disk "backup-disk", and a profile's disk in Dandelion is the one its repository is on (scheduled backups would wait for it). The schedule carries on.`,
      `note 32 [${id}] RunAtLoad: the job also ran at login; Dandelion runs a backup that is due when it starts.`,
      `note 34 [${id}] StandardOutPath is left out: Dandelion keeps a log of every run itself.`,
      `note 36 [${id}] StandardErrorPath is left out: Dandelion keeps a log of every run itself.`,
      `todo 5 [${id}] Once Dandelion runs these backups, stop the launchd job com.me.borg-backup so they do not run twice: launchctl bootout gui/501 com.me.borg-backup, then move com.me.borg-backup.plist out of the LaunchAgents folder so it does not load again at login.`,
    ]);
  });

  it('imports borg run by the job itself, with EnvironmentVariables, the passphrase as a secret at its plist line', () => {
    const r = readLaunchd(fixture('/import/borg-direct.plist'), '/import/borg-direct.plist', fakeContext());
    expect(r.profiles).toEqual([
      {
        id: 'backup-disk',
        name: 'backup-disk',
        repository: '/Volumes/backup-disk/borg',
        sources: ['~/Documents'],
        excludes: [],
        archiveName: '{hostname}-disk-{now}',
        compression: 'lz4',
        oneFileSystem: false,
        excludeCaches: true,
        prune: null,
        borgPath: '/usr/local/bin/borg',
        schedule: '0 */2 * * *',
      },
    ]);
    expect(r.secrets).toEqual([
      { profile: 'backup-disk', passphrase: 'hunter2 & more', at: { file: '/import/borg-direct.plist', line: 11 } },
    ]);
    expect(report(r)).toContain(
      'todo 11 [] Remove the plain-text passphrase from /import/borg-direct.plist line 11 (BORG_PASSPHRASE): once imported it is kept in the Keychain.',
    );
    expect(report(r)).toContain('dropped 24 [backup-disk] KeepAlive is not carried over: Dandelion has no such setting.');
    expect(JSON.stringify(r.report)).not.toContain('hunter2');
  });

  it('reads a script given to a shell with -c, and says what to do when the script cannot be read', () => {
    const inline = readLaunchd(
      plist(
        `<dict><key>Label</key><string>x</string><key>ProgramArguments</key><array><string>/bin/sh</string><string>-c</string><string>borg create /Volumes/d/r::a-{now} ~/Documents</string></array><key>StartOnMount</key><true/></dict>`,
      ),
      'x.plist',
      fakeContext(),
    );
    expect(inline.profiles.map((p) => [p.repository, p.volume])).toEqual([['/Volumes/d/r', 'd']]);
    const missing = readLaunchd(
      plist('<dict><key>Label</key><string>y</string><key>Program</key><string>/usr/local/sbin/nightly.sh</string></dict>'),
      '/Library/LaunchDaemons/y.plist',
      fakeContext(),
    );
    expect(missing.profiles).toEqual([]);
    expect(missing.oldJobs[0]!.howToStop).toBe('launchctl bootout system y');
    expect(report(missing)).toContain(
      'todo 4 [] The script the job runs (/usr/local/sbin/nightly.sh) could not be read here: import it too, or make the profile by hand.',
    );
  });

  it('reports a broken plist instead of guessing', () => {
    const r = readLaunchd('<?xml version="1.0"?>\n<plist>\n<dict>\n<key>Label</key>\n</plist>', 'bad.plist', fakeContext());
    expect(r.profiles).toEqual([]);
    expect(report(r)).toEqual(['dropped 4 [] The launchd job cannot be read: the key "Label" has no value.']);
  });
});

describe('a system job', () => {
  it('is unloaded from the system domain and its plist moved out of LaunchDaemons', () => {
    const file = '/Library/LaunchDaemons/org.me.borg.plist';
    const r = readLaunchd(
      plist(
        '<dict><key>Label</key><string>org.me.borg</string><key>ProgramArguments</key><array><string>/usr/local/bin/borg</string><string>create</string><string>/Volumes/d/r::a-{now}</string><string>/Users/me/x</string></array></dict>',
      ),
      file,
      fakeContext(),
    );
    expect(r.oldJobs).toEqual([
      { kind: 'launchd', name: 'org.me.borg', at: { file, line: 4 }, howToStop: 'launchctl bootout system org.me.borg' },
    ]);
    expect(r.report.find((i) => i.kind === 'todo')!.message).toBe(
      'Once Dandelion runs these backups, stop the launchd job org.me.borg so they do not run twice: launchctl bootout system org.me.borg, then move org.me.borg.plist out of the LaunchDaemons folder so it does not load again.',
    );
  });
});
