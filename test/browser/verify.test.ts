/**
 * Verification in the status window, built and driven in Chromium against a real Engine: when the
 * backups were last verified and proven restorable, a check that found damage (red, with what is
 * damaged and what to do), verification overdue, and a real drill with real borg turning into
 * "Restore proven just now". Axe in light and dark; SCREENSHOTS=1 writes "check failed" and "drill passed".
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { History } from '../../src/jobs/history.js';
import { OpHistory, type OpRecord } from '../../src/ops/records.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import type { RunRecord } from '../../src/records.js';
import { diagnosisFor } from '../../src/messages.js';
import { makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';
import { axeCheck, openWindow, screenshot, type OpenedWindow } from './harness.js';

const DAY = 86_400_000;
let sb: Sandbox;
let src: string;
let repo: string;
const windows: OpenedWindow[] = [];
const engines: Engine[] = [];

beforeEach(async () => {
  sb = await sandbox('dandelion-status-verify-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  src = path.join(sb.dir, 'src');
  repo = path.join(sb.dir, 'repo');
  await makeTree(src, 20);
});

afterEach(async () => {
  for (const w of windows.splice(0)) await w.close();
  for (const e of engines.splice(0)) await e.cancelAll();
  await sb.cleanup();
});

const profile = (over: Record<string, unknown> = {}) => ({
  id: 'p',
  name: 'Backup disk',
  repository: repo,
  encryption: 'none',
  sources: [src],
  ...over,
});

const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

function backup(daysAgo: number): RunRecord {
  return {
    profile: 'p',
    trigger: 'schedule',
    startedAt: ago(daysAgo),
    finishedAt: ago(daysAgo),
    result: 'success',
    archive: 'mbp-daily-2026-12-01',
    stats: { originalSize: 5_000_000, compressedSize: 4_000_000, deduplicatedSize: 1000, nfiles: 20, durationSeconds: 3 },
    message: null,
    diagnoses: [],
    log: null,
    repository: repo,
  };
}

function op(kind: 'check' | 'drill', daysAgo: number, over: Partial<OpRecord> = {}): OpRecord {
  return {
    kind,
    profile: 'p',
    repository: repo,
    trigger: 'schedule',
    startedAt: ago(daysAgo),
    finishedAt: ago(daysAgo),
    result: 'success',
    archive: null,
    message: null,
    diagnoses: [],
    log: null,
    ...over,
  };
}

async function world(config: unknown, backups: RunRecord[], ops: OpRecord[]): Promise<void> {
  await writeConfig(sb.configDir, config);
  const h = new History(path.join(sb.configDir, 'history'));
  for (const r of backups) await h.append(r);
  const o = new OpHistory(path.join(sb.configDir, 'operations'));
  for (const r of ops) await o.append(r);
}

async function open(): Promise<OpenedWindow> {
  const w = await openWindow('status', { configDir: sb.configDir });
  windows.push(w);
  return w;
}

const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout });
const card = (w: OpenedWindow) => w.page.locator('section.card[data-profile="p"]');

describe('verification in the status window', () => {
  it('says when the backups were last verified and proven restorable', async () => {
    await world({ profiles: [profile()] }, [backup(1)], [op('check', 3), op('drill', 3)]);
    const w = await open();
    await poll(() => card(w).locator('[data-verified]').textContent()).toBe('Verified 3 days ago · Restore proven 3 days ago');
    await poll(() => card(w).locator('.badge').textContent()).toBe('Up to date');
    await axeCheck(w.page, { schemes: ['light', 'dark'] });
    await screenshot(w.page, 'status-drill-passed');
    expect(w.pageErrors).toEqual([]);
  });

  it('turns red when the last check found damage, saying what is damaged and what to do', async () => {
    const damage = diagnosisFor(
      'repo-damaged',
      { repository: repo, platform: 'darwin', passphraseSupplied: true, profile: 'p' },
      'Data integrity error: Segment entry checksum mismatch [segment 2, offset 281184]',
      { count: 2, others: ['Storage box'] },
    );
    await world({ profiles: [profile()] }, [backup(1)], [op('drill', 5), op('check', 0.5, { result: 'error', diagnoses: [damage] })]);
    const w = await open();
    await poll(() => card(w).locator('.badge').textContent()).toBe('May not be restorable');
    await poll(() => w.page.locator('.glance').textContent()).toBe('Your backups may not be restorable');
    const text = (await card(w).textContent()) ?? '';
    expect(text).toContain('Backups may not be restorable: the last check found damage');
    expect(text).toContain('Segment entry checksum mismatch');
    expect(text).toContain('Storage box');
    await axeCheck(w.page, { schemes: ['light', 'dark'] });
    await screenshot(w.page, 'status-check-failed');
    expect(w.pageErrors).toEqual([]);
  });

  it('warns when verification is overdue', async () => {
    await world({ profiles: [profile({ check: { everyDays: 7 } })] }, [backup(30), backup(0.5)], [op('check', 20), op('drill', 20)]);
    const w = await open();
    await poll(() => card(w).getByText('Verification overdue').isVisible()).toBe(true);
    expect(await card(w).textContent()).toContain('Both run after the next backup.');
    await axeCheck(w.page, { schemes: ['light'] });
  });

  it('shows a real drill of the window’s engine ending in "Restore proven just now"', async () => {
    await writeConfig(sb.configDir, { profiles: [profile()] });
    const { engine } = await Engine.open({ configDir: sb.configDir, busy: 'wait', secrets: new MemorySecretStore() });
    engines.push(engine);
    // An empty repository copied from the run's template: borg init is no part of this test.
    await freshRepository(repo, 'none');
    expect((await engine.run('p')).result).toBe('success');
    const w = await openWindow('status', { configDir: sb.configDir, engine });
    windows.push(w);
    await poll(() => card(w).locator('.headline').textContent()).toMatch(/^Last backup just now/);
    const drill = await engine.drill('p');
    expect(drill.ok && drill.value.result).toBe('success');
    await poll(() => card(w).locator('[data-verified]').textContent()).toBe('Not verified yet · Restore proven just now');
    expect(w.pageErrors).toEqual([]);
  }, 120_000);
});
