import { describe, expect, it } from 'vitest';
import { cronLine, looksLikeCrontab, readCrontab } from '../../src/import/cron.js';
import type { ImportResult } from '../../src/import/model.js';
import { parseConfig } from '../../src/profiles/schema.js';
import { fakeContext, fixture } from '../helpers/import-ctx.js';

function report(r: ImportResult): string[] {
  return r.report.map((i) => `${i.kind} ${i.at?.line ?? '-'} [${i.profile ?? ''}] ${i.message}`);
}

describe('cronLine', () => {
  it('takes apart five fields or an @word and the command as written', () => {
    expect(cronLine('15 3 * * *   /Users/me/bin/backup.sh  >> log 2>&1')).toEqual({
      when: '15 3 * * *',
      command: '/Users/me/bin/backup.sh  >> log 2>&1',
    });
    expect(cronLine('@daily borg create ::x /a')).toEqual({ when: '@daily', command: 'borg create ::x /a' });
    expect(cronLine('0 3 * * 1-5 root /usr/local/bin/backup', true)).toEqual({ when: '0 3 * * 1-5', command: '/usr/local/bin/backup' });
  });

  it('is not fooled by comments, environment lines or prose', () => {
    expect(cronLine('# 0 3 * * * old')).toBeNull();
    expect(cronLine('MAILTO=me@example.com')).toBeNull();
    expect(cronLine('borg create ::x /a')).toBeNull();
  });

  it('knows a crontab from a script', () => {
    expect(looksLikeCrontab(fixture('/import/crontab.txt'))).toBe(true);
    expect(looksLikeCrontab(fixture('/import/seed.sh'))).toBe(false);
    // Six words whose first five are not schedule fields.
    expect(looksLikeCrontab('borg prune --keep-daily 7 --keep-weekly 4\n')).toBe(false);
    expect(looksLikeCrontab('0 3 * * mon-fri /x\n30 */2 1,15 jan *  /y\n')).toBe(true);
  });
});

describe('readCrontab', () => {
  const file = '/import/crontab.txt';
  const r = readCrontab(fixture(file), file, fakeContext());

  it('gives each line that runs a backup its schedule: a script it runs, or borg on the line itself', () => {
    expect(r.profiles.map((p) => [p.id, p.repository, p.archiveName, p.schedule])).toEqual([
      ['u123456-your-storagebox-de', 'ssh://u123456@u123456.your-storagebox.de:23/./backup/mbp2015', '{hostname}-{now}', '15 3 * * *'],
      ['backup-disk', '/Volumes/backup-disk/hourly', 'hourly-{now}', '0 * * * *'],
    ]);
    const parsed = parseConfig({ profiles: r.profiles });
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
  });

  it('takes the passphrase of a crontab environment line as a secret, at that line', () => {
    expect(r.secrets.map((s) => [s.profile, s.passphrase, s.at])).toEqual([
      ['u123456-your-storagebox-de', 'correct horse battery staple', { file: '/Users/me/bin/borg-backup.sh', line: 6 }],
      ['backup-disk', 'cron-secret', { file, line: 4 }],
    ]);
    expect(report(r)).toContain(
      'todo 4 [] Remove the plain-text passphrase from /import/crontab.txt line 4 (BORG_PASSPHRASE): once imported it is kept in the Keychain.',
    );
  });

  it('names each old line and says to remove it with crontab -e; leaves other lines alone', () => {
    expect(r.oldJobs).toEqual([
      {
        kind: 'cron',
        name: '15 3 * * * /Users/me/bin/borg-backup.sh >> /Users/me/borg.log 2>&1',
        at: { file, line: 5 },
        howToStop: 'crontab -e, then delete this line',
      },
      {
        kind: 'cron',
        name: "@hourly BORG_REPO=/Volumes/backup-disk/hourly borg create -C lz4 ::'hourly-{now}' /Users/me/Projects",
        at: { file, line: 6 },
        howToStop: 'crontab -e, then delete this line',
      },
    ]);
    const lines = report({ ...r, report: r.report.filter((i) => i.at?.file === file && i.at.line! >= 5) }).filter(
      (l) => !l.startsWith('carried'),
    );
    expect(lines).toEqual([
      'todo 5 [u123456-your-storagebox-de] Once Dandelion runs these backups, delete crontab line 5 ("15 3 * * * /Users/me/bin/borg-backup.sh >> /Users/me/borg.log 2>&1") with crontab -e, so they do not run twice.',
      'todo 6 [backup-disk] Once Dandelion runs these backups, delete crontab line 6 ("@hourly BORG_REPO=/Volumes/backup-disk/hourly borg create -C lz4 ::\'hourly-{now}\' /Users/me/Projects") with crontab -e, so they do not run twice.',
      'note 6 [backup-disk] Archives keep the script\'s name "hourly-{now}", so Dandelion\'s prune goes on acting on the archives the script made (those matching "hourly-*").',
      'note 6 [backup-disk] The script does not prune this repository, so neither does the profile (prune is off).',
      'note 7 [] This crontab line runs no borg backup; left alone.',
    ]);
  });

  it('never shows a passphrase written on the crontab line itself', () => {
    const line = '0 2 * * * BORG_PASSPHRASE=topsecret borg create /Volumes/d/r::a-{now} /Users/me/x';
    const c = readCrontab(line, '/tmp/crontab', fakeContext());
    expect(c.oldJobs[0]!.name).toBe('0 2 * * * BORG_PASSPHRASE=… borg create /Volumes/d/r::a-{now} /Users/me/x');
    expect(JSON.stringify([c.oldJobs, c.report])).not.toContain('topsecret');
    expect(c.secrets.map((s) => s.passphrase)).toEqual(['topsecret']);
  });

  it('reads the script given to a shell with joined flags (bash -lc)', () => {
    const c = readCrontab("0 1 * * * /bin/bash -lc 'borg create /Volumes/d/r::a-{now} /Users/me/x'", '/tmp/crontab', fakeContext());
    expect(c.profiles.map((p) => [p.repository, p.schedule])).toEqual([['/Volumes/d/r', '0 1 * * *']]);
  });

  it('runs @reboot with no schedule, and cuts the command at an unescaped %', () => {
    const c = readCrontab(
      '@reboot sleep 60 && borg create /Volumes/d/r::a-{now} /Users/me/x\n0 4 * * * borg create "/Volumes/d/s::b-{now:\\%Y}" /Users/me/y % stdin text',
      '/tmp/crontab',
      fakeContext(),
    );
    expect(c.profiles.map((p) => [p.repository, p.archiveName, p.schedule])).toEqual([
      ['/Volumes/d/r', 'a-{now}', undefined],
      ['/Volumes/d/s', 'b-{now:%Y}', '0 4 * * *'],
    ]);
    expect(report(c)[0]).toBe(
      'note 1 [d] The line ran at start-up (@reboot); Dandelion runs a backup that is due when it starts, so the profile has no schedule of its own.',
    );
  });
});

describe('a crontab line with a ping', () => {
  it('names the old line without the ping URL', () => {
    const c = readCrontab(
      '0 2 * * * borg create /Volumes/d/r::a-{now} /Users/me/x && curl -fsS https://hc-ping.com/abcd-1234\n',
      '/tmp/crontab',
      fakeContext(),
    );
    expect(c.oldJobs.map((j) => j.name)).toEqual([
      '0 2 * * * borg create /Volumes/d/r::a-{now} /Users/me/x && curl -fsS https://hc-ping.com/…',
    ]);
    expect(JSON.stringify(c)).not.toContain('abcd-1234');
  });
});

describe('crontab corners', () => {
  const ctx = () => fakeContext();
  const script = '/Users/me/bin/borg-backup.sh';

  it('reads the script a shell runs, for each shell and with its flags before it', () => {
    for (const shell of ['sh', 'bash', 'zsh', 'dash', 'ksh']) {
      const c = readCrontab(`15 3 * * * /bin/${shell} -x ${script}\n`, '/tmp/crontab', ctx());
      expect(
        c.profiles.map((p) => [p.repository, p.schedule]),
        shell,
      ).toEqual([['ssh://u123456@u123456.your-storagebox.de:23/./backup/mbp2015', '15 3 * * *']]);
      expect(c.report.some((r) => r.message === `The line runs ${script}, imported with it.`)).toBe(true);
    }
    // Not a shell: its first argument is not the script.
    const other = readCrontab(`15 3 * * * /usr/bin/nice -n 10 ${script}\n`, '/tmp/crontab', ctx());
    expect(other.profiles).toEqual([]);
  });

  it('reads what a shell is given with -c, and only after a -c', () => {
    const c = readCrontab("0 1 * * * sh -c 'borg create /Volumes/d/r::a-{now} /Users/me/x'\n", '/tmp/crontab', ctx());
    expect(c.profiles.map((p) => [p.repository, p.schedule])).toEqual([['/Volumes/d/r', '0 1 * * *']]);
    // `-cx`-like flags that are not -c are a script name search, not a command.
    const notC = readCrontab(`0 1 * * * bash -e ${script}\n`, '/tmp/crontab', ctx());
    expect(notC.profiles).toHaveLength(1);
    expect(notC.report.some((r) => r.message.startsWith('The line runs '))).toBe(true);
  });

  it('a schedule cron would refuse is left out with why, and the backup is still imported without it', () => {
    const c = readCrontab('61 3 * * * borg create /Volumes/d/r::a-{now} /Users/me/x\n', '/tmp/crontab', ctx());
    expect(c.profiles.map((p) => p.schedule)).toEqual([undefined]);
    const dropped = c.report.filter((r) => r.kind === 'dropped' && r.at?.line === 1);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.message).toMatch(/^The schedule "61 3 \* \* \*" is left out: .+\.$/);
  });

  it('environment lines: spaces around = and quotes are cron’s, the value as written', () => {
    const c = readCrontab(
      '  BORG_REPO = "/Volumes/d/env repo"  \nBORG_PASSPHRASE=\'quoted secret\'\n0 5 * * * borg create ::e-{now} /Users/me/x\n',
      '/tmp/crontab',
      ctx(),
    );
    expect(c.profiles.map((p) => p.repository)).toEqual(['/Volumes/d/env repo']);
    expect(c.secrets.map((s) => [s.passphrase, s.at.line])).toEqual([['quoted secret', 2]]);
  });

  it('says once when nothing in it backs up, and names a line that runs something else', () => {
    const none = readCrontab('# nothing\nMAILTO=me\n', '/tmp/crontab', ctx());
    expect(report(none)).toEqual(['note - [] The crontab runs no borg backup.']);
    const other = readCrontab('0 * * * * /usr/bin/true\n', '/tmp/crontab', ctx());
    expect(report(other)).toEqual(['note 1 [] This crontab line runs no borg backup; left alone.']);
    expect(other.oldJobs).toEqual([]);
    const unreadable = readCrontab('0 * * * * /opt/backup-job.sh\n', '/tmp/crontab', ctx());
    expect(report(unreadable)).toContain(
      'todo 1 [] The script /opt/backup-job.sh this line runs could not be read here: import it too, or make the profile by hand.',
    );
    expect(unreadable.oldJobs.map((j) => j.at.line)).toEqual([1]);
  });

  it('schedule fields are whole words: a field with other characters after it is not a crontab line', () => {
    expect(looksLikeCrontab('0 3 * *x * borg create ::a /x\n')).toBe(false);
    expect(looksLikeCrontab('0 3 * * 1x borg create ::a /x\n')).toBe(false);
    expect(looksLikeCrontab('0 3 ? * 1 borg create ::a /x\n')).toBe(true);
    expect(looksLikeCrontab('0 3 * * 1-W borg create ::a /x\n')).toBe(true);
    expect(looksLikeCrontab('0 3 * * 1-x borg create ::a /x\n')).toBe(false);
    expect(looksLikeCrontab('   \n  0 3 * * * /x\n')).toBe(true);
    expect(looksLikeCrontab('\n# only a comment\n')).toBe(false);
  });
});
