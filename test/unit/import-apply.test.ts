import { describe, expect, it } from 'vitest';
import { importExit, planImport, urlHost, verdictOf, type ImportOutcome } from '../../src/import/apply.js';
import { importText, keepWords, redact, scheduleWords } from '../../src/import/present.js';
import type { ImportResult, ImportedProfile } from '../../src/import/model.js';

const p = (over: Partial<ImportedProfile> = {}): ImportedProfile => ({
  id: 'docs',
  repository: '/Volumes/backup/borg',
  sources: ['~/Documents'],
  archiveName: '{hostname}-{now}',
  schedule: '0 3 * * *',
  ...over,
});
const result = (over: Partial<ImportResult> = {}): ImportResult => ({
  format: 'shell',
  files: ['/s.sh'],
  profiles: [p()],
  secrets: [],
  oldJobs: [],
  report: [],
  ...over,
});

describe('planImport', () => {
  it('keeps the imported profile after the existing ones, and the rest of config.json as written', () => {
    const plan = planImport({ volumesRoot: '/Volumes', profiles: [{ id: 'home', repository: '/r', sources: ['~'] }] }, result());
    expect(plan.config).toEqual({
      volumesRoot: '/Volumes',
      profiles: [{ id: 'home', repository: '/r', sources: ['~'] }, p()],
    });
  });

  it('gives a taken id the next free one and moves the report onto it', () => {
    const plan = planImport(
      {
        profiles: [
          { id: 'docs', repository: '/other', sources: ['~'] },
          { id: 'docs-2', repository: '/x', sources: ['~'] },
        ],
      },
      result({ report: [{ kind: 'carried', profile: 'docs', message: 'repository', at: { file: '/s.sh', line: 2 } }] }),
    );
    expect(plan.add.map((a) => [a.id, a.importedAs])).toEqual([['docs-3', 'docs']]);
    expect(plan.report[0]).toMatchObject({ profile: 'docs-3', message: 'repository' });
    expect(plan.report.some((r) => r.kind === 'note' && r.message.includes('"docs" is already taken'))).toBe(true);
  });

  it('skips a profile whose repository (however spelled) and archive names are already a profile', () => {
    const plan = planImport(
      { profiles: [{ id: 'disk', repository: '/Volumes/backup/borg/', sources: ['~'], archiveName: '{hostname}-{now:%Y-%m-%d}' }] },
      result(),
    );
    expect(plan.add).toEqual([]);
    expect(plan.skipped).toEqual([
      { importedAs: 'docs', existing: 'disk', repository: '/Volumes/backup/borg', archiveName: '{hostname}-{now}' },
    ]);
  });

  it('adds a profile on the same repository with other archive names', () => {
    const plan = planImport(
      { profiles: [{ id: 'disk', repository: '/Volumes/backup/borg', sources: ['~'], archiveName: 'photos-{now}' }] },
      result(),
    );
    expect(plan.add.map((a) => a.id)).toEqual(['docs']);
  });

  it('says the old archive names are kept, so prune goes on with the old archives', () => {
    const plan = planImport({ profiles: [] }, result());
    expect(plan.report).toContainEqual(
      expect.objectContaining({ kind: 'note', profile: 'docs', message: expect.stringContaining('({hostname}-{now})') }),
    );
  });

  it('turns each found passphrase into a to-do at its line, once, without the passphrase', () => {
    const plan = planImport(
      { profiles: [] },
      result({ secrets: [{ profile: 'docs', passphrase: 'hunter22', at: { file: '/s.sh', line: 4 } }] }),
      { keychain: 'the Keychain' },
    );
    const todos = plan.report.filter((r) => r.kind === 'todo');
    expect(todos).toHaveLength(1);
    expect(todos[0]).toMatchObject({ profile: 'docs', at: { file: '/s.sh', line: 4 } });
    expect(todos[0]!.message).toContain('the Keychain');
    expect(JSON.stringify(plan.report)).not.toContain('hunter22');
    // A reader that already wrote the to-do for that line: not said twice.
    const again = planImport(
      { profiles: [] },
      result({
        secrets: [{ profile: 'docs', passphrase: 'hunter22', at: { file: '/s.sh', line: 4 } }],
        report: [{ kind: 'todo', profile: 'docs', message: 'Remove it', at: { file: '/s.sh', line: 4 } }],
      }),
    );
    expect(again.report.filter((r) => r.kind === 'todo')).toHaveLength(1);
  });

  it('says that a profile with no schedule and no disk backs up only when started, and not of one that has either', () => {
    const plan = planImport({ profiles: [] }, result({ profiles: [p({ schedule: null })] }));
    expect(plan.report).toContainEqual(
      expect.objectContaining({ kind: 'todo', profile: 'docs', message: expect.stringContaining('backs up only when you start it') }),
    );
    for (const has of [{ schedule: '@daily' }, { schedule: null, volume: 'Backup' }]) {
      const fine = planImport({ profiles: [] }, result({ profiles: [p(has)] }));
      expect(fine.report.filter((r) => r.message.includes('no schedule'))).toEqual([]);
    }
  });

  it('names an old cron line with how to stop it', () => {
    const plan = planImport(
      { profiles: [] },
      result({
        oldJobs: [
          { kind: 'cron', name: '0 3 * * * ~/bin/b.sh', at: { file: '/crontab', line: 7 }, howToStop: 'remove the line with crontab -e' },
        ],
      }),
    );
    expect(plan.report).toContainEqual({
      kind: 'todo',
      profile: null,
      message: 'Stop the cron line so backups do not run twice: remove the line with crontab -e',
      at: { file: '/crontab', line: 7 },
    });
  });
});

describe('planImport and a reader that already told how to stop the old job', () => {
  it('says it once: the real borgmatic reader, whose to-do has no line', async () => {
    const { readImport } = await import('../../src/import/read.js');
    const { fakeContext } = await import('../helpers/import-ctx.js');
    const read = readImport(['/import/borgmatic/sectioned-1.7.yaml'], fakeContext());
    expect(read.oldJobs).toHaveLength(1);
    const plan = planImport({ profiles: [] }, read);
    expect(plan.report.filter((r) => r.kind === 'todo' && r.message.includes(read.oldJobs[0]!.howToStop))).toHaveLength(1);
  });
});

describe('verdictOf', () => {
  const f = (check: string, ok: boolean, kind?: string) => ({ check: `docs: ${check}`, ok, message: check, ...(kind ? { kind } : {}) });
  it('reads reachable and the passphrase from the doctor’s findings', () => {
    expect(verdictOf({ id: 'docs' }, [f('passphrase', true), f('repository', true)] as never, 'repokey')).toMatchObject({
      reachable: true,
      passphrase: 'opens',
      encryption: 'repokey',
    });
    expect(verdictOf({ id: 'docs' }, [f('passphrase', true), f('passphrase', false, 'passphrase-wrong')] as never, null)).toMatchObject({
      reachable: true,
      passphrase: 'wrong',
    });
    expect(verdictOf({ id: 'docs' }, [f('passphrase', false)] as never, null)).toMatchObject({ reachable: null, passphrase: 'missing' });
    expect(
      verdictOf({ id: 'docs' }, [f('passphrase', true), f('connection', false, 'ssh-permission-denied')] as never, null),
    ).toMatchObject({
      reachable: false,
    });
    expect(verdictOf({ id: 'docs' }, [f('repository', true)] as never, 'none')).toMatchObject({ passphrase: 'not-needed' });
  });
});

describe('words', () => {
  it('keep rules, schedules and monitoring hosts', () => {
    expect(keepWords({ keepDaily: 7, keepWeekly: 4 })).toBe('7 daily, 4 weekly');
    expect(keepWords({ keepWithin: '2d', keepMonthly: 6 })).toBe('everything from the last 2d, 6 monthly');
    expect(keepWords(null)).toBe('everything (no pruning)');
    expect(scheduleWords({ schedule: '0 3 * * *', volume: 'backup' })).toBe(
      'on the schedule "0 3 * * *", and when the disk "backup" is connected',
    );
    expect(scheduleWords({ schedule: null, volume: null })).toBe('only when you start it');
    expect(urlHost('https://hc-ping.com/0f4a-secret-uuid')).toBe('hc-ping.com');
    expect(redact('it was hunter22 there', ['hunter22'])).toBe('it was [passphrase] there');
  });

  it('the text shows a monitoring host, never the URL', () => {
    const plan = planImport(
      { profiles: [] },
      result({ profiles: [p({ monitor: { pingUrl: 'https://hc-ping.com/0f4a-secret-uuid', ntfyUrl: null } })] }),
    );
    const o: ImportOutcome = {
      dryRun: true,
      saved: false,
      errors: [],
      conflict: false,
      profiles: [],
      skipped: [],
      report: plan.report,
    };
    const quoted = planImport(
      { profiles: [] },
      result({
        profiles: [p({ monitor: { pingUrl: 'https://hc-ping.com/0f4a-secret-uuid', ntfyUrl: 'https://ntfy.sh/my-secret-topic' } })],
        report: [
          {
            kind: 'carried',
            profile: 'docs',
            message: 'ping https://hc-ping.com/0f4a-secret-uuid and https://ntfy.sh/my-secret-topic',
            at: null,
          },
        ],
      }),
    );
    expect(quoted.report[0]!.message).toBe(
      'ping hc-ping.com (the rest of the address is kept private) and ntfy.sh (the rest of the address is kept private)',
    );
    const text = importText(o).join('\n') + JSON.stringify(plan.report);
    expect(text).not.toContain('0f4a-secret-uuid');
  });
});

describe('importExit', () => {
  const o = (over: Partial<ImportOutcome>): ImportOutcome => ({
    dryRun: true,
    saved: false,
    errors: [],
    conflict: false,
    profiles: [{} as never],
    skipped: [],
    report: [],
    ...over,
  });
  it('0 fine, 1 with something left out or to do, 2 nothing importable or refused', () => {
    expect(importExit(o({}))).toBe(0);
    expect(importExit(o({ report: [{ kind: 'dropped', profile: null, message: 'x', at: null }] }))).toBe(1);
    expect(importExit(o({ report: [{ kind: 'todo', profile: null, message: 'x', at: null }] }))).toBe(1);
    expect(importExit(o({ profiles: [] }))).toBe(2);
    expect(importExit(o({ errors: [{ path: 'profiles[0].sources', message: 'x', profile: 'a' }] }))).toBe(2);
    expect(importExit(o({ dryRun: false, saved: false }))).toBe(2);
    expect(importExit(o({ dryRun: false, saved: true }))).toBe(0);
  });
});
