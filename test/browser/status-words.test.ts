/**
 * What the status window says, word for word, in Chromium against a real Engine (locale en-US):
 * a headline that counts what it names and is never cut off, no Open Full Log without a log, the
 * log's times in the same format as the card's, and a backup's numbers named as a user reads them.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { History } from '../../src/jobs/history.js';
import type { RunRecord } from '../../src/records.js';
import { makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { axeCheck, openWindow, screenshot, type OpenedWindow } from './harness.js';

const HOUR = 3_600_000;

let sb: Sandbox;
let src: string;
let repo: string;
const windows: OpenedWindow[] = [];

beforeEach(async () => {
  sb = await sandbox('dandelion-status-words-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  src = path.join(sb.dir, 'src');
  repo = path.join(sb.dir, 'repo');
  await makeTree(src, 3);
});

afterEach(async () => {
  for (const w of windows.splice(0)) await w.close();
  await sb.cleanup();
});

function profile(overrides: Record<string, unknown> = {}) {
  return { id: 'p', name: 'Storage box', repository: repo, encryption: 'none', sources: [src], ...overrides };
}

function record(id: string, hoursAgo: number, over: Partial<RunRecord> = {}): RunRecord {
  const start = Date.now() - hoursAgo * HOUR;
  return {
    profile: id,
    trigger: 'schedule',
    startedAt: new Date(start).toISOString(),
    finishedAt: new Date(start + 5_000).toISOString(),
    result: 'success',
    archive: `mbp-${id}-${new Date(start).toISOString().slice(0, 19)}`,
    stats: { originalSize: 52_300_000, compressedSize: 31_000_000, deduplicatedSize: 4_210_000, nfiles: 1_234, durationSeconds: 5 },
    message: null,
    diagnoses: [],
    log: null,
    repository: repo,
    ...over,
  };
}

async function writeHistory(...records: RunRecord[]): Promise<void> {
  const h = new History(path.join(sb.configDir, 'history'));
  for (const r of records) await h.append(r);
}

/** The run's log file, as the engine names it (logs/<profile>/<start>.log), with these stamped lines. */
async function writeLog(r: RunRecord, lines: [Date, string][]): Promise<string> {
  const dir = path.join(sb.configDir, 'logs', r.profile);
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${r.startedAt.replace(/[:.]/g, '-')}.log`);
  await fs.writeFile(file, lines.map(([d, text]) => `${d.toISOString()} ${text}\n`).join(''));
  return file;
}

async function open(): Promise<OpenedWindow> {
  const w = await openWindow('status', { configDir: sb.configDir });
  windows.push(w);
  return w;
}

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });
const card = (w: OpenedWindow, id = 'p') => w.page.locator(`section.card[data-profile="${id}"]`);
/** Whether an element shows all of its text (no ellipsis, nothing clipped). */
const whole = (w: OpenedWindow, selector: string) =>
  w.page.locator(selector).evaluate((el) => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight);

describe('the headline', () => {
  it('names the one profile that has not finished, in a whole sentence', async () => {
    await writeConfig(sb.configDir, {
      profiles: [
        profile({ id: 'disk', name: 'Backup disk' }),
        profile({ id: 'box', name: 'Storage box at the data centre in Falkenstein', repository: path.join(sb.dir, 'box') }),
      ],
    });
    await writeHistory(record('disk', 1));
    const w = await open();
    await poll(() => w.page.locator('.glance-text').textContent()).toBe(
      'Storage box at the data centre in Falkenstein has not been backed up yet',
    );
    expect(await whole(w, '.glance-text')).toBe(true);
    await screenshot(w.page, 'status-headline-one-unfinished');
    await axeCheck(w.page);
  });

  it('says a single cancelled backup in the singular', async () => {
    await writeConfig(sb.configDir, { profiles: [profile()] });
    await writeHistory(record('p', 5), record('p', 1, { result: 'cancelled', archive: null, stats: null }));
    const w = await open();
    await poll(() => w.page.locator('.glance-text').textContent()).toBe('The last backup was cancelled');
    expect(await w.page.locator('.glance').textContent()).not.toMatch(/[Ss]ome/);
  });

  it('says an interrupted backup did not finish: neither failed nor up to date, its time in local words', async () => {
    await writeConfig(sb.configDir, { profiles: [profile()] });
    const interrupted = record('p', 1, {
      result: 'interrupted',
      archive: null,
      stats: null,
      message: 'The backup to /r that started 2 Dec 2026 at 21:52 never finished: Dandelion was stopped outright.',
      diagnoses: [
        {
          kind: 'interrupted',
          message: 'The backup to /r that started 2 Dec 2026 at 21:52 never finished: Dandelion was stopped outright.',
          fix: 'Nothing needs repairing; the next backup saves what this one did not.',
        },
      ],
    });
    await writeHistory(record('p', 5), interrupted);
    const w = await open();
    await poll(() => w.page.locator('.glance-text').textContent()).toBe('The last backup did not finish');
    const card = w.page.locator('.card[data-profile="p"]');
    expect(await card.locator('.badge').textContent()).toBe('Interrupted');
    const text = (await card.textContent()) ?? '';
    expect(text).toMatch(/The last backup did not finish/);
    expect(text).toMatch(/started 2 Dec 2026 at 21:52 never finished/);
    expect(text).not.toMatch(/Failed|Up to date|\d{4}-\d\d-\d\dT/);
  });
});

describe('an overdue backup held back', () => {
  it('says "waiting for power" on the card and in its banner while the computer is on battery', async () => {
    const { Supervisor } = await import('../../src/supervisor.js');
    const { MemorySecretStore } = await import('../../src/secrets/keyring.js');
    await writeConfig(sb.configDir, { profiles: [profile({ schedule: '0 * * * *', skipOnBattery: true })] });
    await writeHistory(record('p', 3));
    // The process running the schedules, on battery: the hourly backup is due and held back.
    const owner = await Supervisor.open({
      configDir: sb.configDir,
      what: 'test',
      log: () => {},
      onBattery: true,
      secrets: new MemorySecretStore(),
    });
    await owner.start();
    try {
      const w = await openWindow('status', { configDir: sb.configDir, engine: owner.engine });
      windows.push(w);
      await poll(() => card(w).locator('.badge').textContent()).toBe('Overdue, waiting for power');
      await poll(() => card(w).locator('.banner-title').first().textContent()).toBe('Overdue, waiting for power');
      expect(await card(w).locator('.banner').first().textContent()).toContain('it starts when the computer is plugged in');
      await screenshot(w.page, 'status-overdue-waiting-for-power');
    } finally {
      for (const w of windows.splice(0)) await w.close();
      await owner.stop();
    }
  });
});

describe('the log pane', () => {
  it('offers no Open Full Log beside a run that wrote no log', async () => {
    await writeConfig(sb.configDir, { profiles: [profile()] });
    const r = record('p', 1);
    await writeLog(r, []);
    await writeHistory(r);
    const w = await open();
    await w.page.getByText('This run wrote no log.').waitFor();
    expect(await w.page.getByRole('button', { name: 'Open Full Log' }).count()).toBe(0);
  });

  it('writes its times in the same locale format as the card (en-US: 12-hour with AM/PM)', async () => {
    await writeConfig(sb.configDir, { profiles: [profile({ schedule: '0 22 * * *' })] });
    const r = record('p', 1);
    const at = new Date(r.startedAt);
    await writeLog(r, [
      [at, 'Creating archive at "/repo::x"'],
      [new Date(at.getTime() + 2_000), 'terminating with success status, rc 0'],
    ]);
    await writeHistory({ ...r, log: null });
    const w = await open();
    const line = w.page.locator('.log-lines > div').first();
    await poll(() => line.textContent()).toMatch(/^\d{1,2}:\d\d:\d\d (AM|PM) {2}Creating archive/);
    const expected = at.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit', second: '2-digit' });
    expect((await line.textContent())!.startsWith(expected)).toBe(true);
    await poll(() => card(w).locator('.next').textContent()).toMatch(/^Next backup: (Today|Tomorrow), 10:00 PM$/);
    // The Open Full Log button is there when there is a log.
    expect(await w.page.getByRole('button', { name: 'Open Full Log' }).count()).toBe(1);
  });
});

describe('the numbers of a backup', () => {
  it('names the sizes as a user reads them, explains borg’s terms on hover, and why a tiny backup stores more than its files', async () => {
    await writeConfig(sb.configDir, { profiles: [profile()] });
    await writeHistory(
      record('p', 1, { stats: { nfiles: 3, originalSize: 341, compressedSize: 300, deduplicatedSize: 3_300, durationSeconds: 1 } }),
    );
    const w = await open();
    const c = card(w);
    await c.locator('.stats').waitFor();
    expect(await c.locator('.stats dt').allTextContents()).toEqual(['Archive', 'Files', 'Size of the files', 'New data stored']);
    expect(await c.locator('.stats dd').allTextContents()).toEqual([expect.stringMatching(/^mbp-p-/), '3', '341 B', '3.3 kB']);
    expect(await c.locator('.stat', { hasText: 'New data stored' }).getAttribute('title')).toMatch(/deduplicated size/);
    expect(await c.locator('.stat', { hasText: 'Size of the files' }).getAttribute('title')).toMatch(/original size.*compressed, 300 B/);
    expect(await c.locator('.stat-note').textContent()).toMatch(/borg’s own metadata/);
    expect(await c.textContent()).not.toMatch(/Original|Deduplicated/);
    await axeCheck(w.page, { schemes: ['light', 'dark'] });
    await screenshot(w.page, 'status-stats-words');
  });
});
