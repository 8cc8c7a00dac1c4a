/**
 * The Browse Backups window's decisions, without a browser: which rows a 10,000-entry list draws and
 * where it scrolls, the keyboard and selection of the file list, what the window says (backups,
 * rows, breadcrumb, versions, a restore's progress and result), and the verification header.
 */
import { describe, expect, it } from 'vitest';
import { pageRows, rowWindow, scrollToShow } from '../../renderer/browse/virtual.js';
import {
  carryOver,
  click,
  EMPTY,
  freshState,
  moveTo,
  onKey,
  toggle,
  withCursorOn,
  type ListState,
} from '../../renderer/browse/selection.js';
import {
  archiveWords,
  changeWord,
  childTowards,
  crumbs,
  finderCompare,
  itemsWord,
  kindWord,
  modifiedWord,
  newestFirst,
  parentOf,
  progressWords,
  provenWords,
  restoreTitle,
  resultWords,
  searchOrder,
  sizeWord,
  verifiedWords,
  versionRows,
  versionsSummary,
} from '../../renderer/browse/words.js';
import { verifyView } from '../../renderer/browse/verify-view.js';
import type { ArchiveSummary, FileVersion, FolderEntry, OpRecord, RestoreResult } from '../../renderer/browse/types.js';

const KEYS = ['a', 'b', 'c', 'd', 'e'];
const at = (cursor: number, selected: string[] = [], anchor = cursor): ListState => ({ cursor, anchor, selected });

describe('the rows a long list draws', () => {
  it('draws the rows in view and a few either side, never the whole list', () => {
    expect(rowWindow(10_000, 24, 0, 480)).toEqual({ start: 0, end: 28, offset: 0, height: 240_000 });
    expect(rowWindow(10_000, 24, 24_000, 480)).toEqual({ start: 992, end: 1028, offset: 992 * 24, height: 240_000 });
    const bottom = rowWindow(10_000, 24, 240_000, 480);
    expect(bottom.end).toBe(10_000);
    expect(bottom.start).toBe(10_000 - 20 - 8);
    expect(rowWindow(10_000, 24, -50, 480).start).toBe(0);
  });

  it('handles an empty list, a list shorter than the view, and no overscan', () => {
    expect(rowWindow(0, 24, 0, 480)).toEqual({ start: 0, end: 0, offset: 0, height: 0 });
    expect(rowWindow(5, 24, 0, 480)).toEqual({ start: 0, end: 5, offset: 0, height: 120 });
    expect(rowWindow(100, 24, 240, 240, 0)).toEqual({ start: 10, end: 20, offset: 240, height: 2400 });
    expect(rowWindow(100, 0, 0, 240)).toEqual({ start: 0, end: 0, offset: 0, height: 0 });
    expect(rowWindow(-3, 24, 0, 240)).toEqual({ start: 0, end: 0, offset: 0, height: 0 });
  });

  it('scrolls as little as needed to show a row, and pages by whole rows', () => {
    expect(scrollToShow(5, 24, 0, 240)).toBe(0);
    expect(scrollToShow(9, 24, 0, 240)).toBe(0);
    expect(scrollToShow(10, 24, 0, 240)).toBe(24);
    expect(scrollToShow(2, 24, 240, 240)).toBe(48);
    expect(scrollToShow(0, 24, 10, 240)).toBe(0);
    expect(pageRows(24, 240)).toBe(9);
    expect(pageRows(24, 10)).toBe(1);
  });
});

describe('the file list’s keyboard and selection', () => {
  it('moves the cursor without selecting; Shift selects from the anchor; ends and pages stop at the edges', () => {
    expect(onKey('ArrowDown', {}, EMPTY, KEYS, 3)).toEqual({ type: 'state', state: at(0) });
    expect(onKey('ArrowDown', {}, at(1), KEYS, 3)).toEqual({ type: 'state', state: at(2) });
    expect(onKey('ArrowUp', {}, at(0), KEYS, 3)).toEqual({ type: 'state', state: at(0) });
    expect(onKey('ArrowUp', {}, EMPTY, KEYS, 3)).toEqual({ type: 'state', state: at(0) });
    expect(onKey('End', {}, at(1), KEYS, 3)).toEqual({ type: 'state', state: at(4) });
    expect(onKey('Home', {}, at(3), KEYS, 3)).toEqual({ type: 'state', state: at(0) });
    expect(onKey('PageDown', {}, at(1), KEYS, 3)).toEqual({ type: 'state', state: at(4) });
    expect(onKey('PageDown', {}, EMPTY, KEYS, 3)).toEqual({ type: 'state', state: at(0) });
    expect(onKey('PageUp', {}, at(4), KEYS, 3)).toEqual({ type: 'state', state: at(1) });
    expect(onKey('PageUp', {}, EMPTY, KEYS, 3)).toEqual({ type: 'state', state: at(0) });
    expect(onKey('ArrowDown', { shift: true }, at(1), KEYS, 3)).toEqual({ type: 'state', state: at(2, ['b', 'c'], 1) });
    expect(onKey('ArrowUp', { shift: true }, at(2, ['b', 'c'], 1), KEYS, 3)).toEqual({ type: 'state', state: at(1, ['b'], 1) });
    expect(onKey('Home', { shift: true }, at(2), KEYS, 3)).toEqual({ type: 'state', state: at(0, ['a', 'b', 'c'], 2) });
    expect(onKey('End', {}, at(0), KEYS, 1)).toEqual({ type: 'state', state: at(4) });
    expect(onKey('ArrowDown', {}, at(0), KEYS, 3)).toEqual({ type: 'state', state: at(1) });
    expect(onKey('PageDown', {}, at(0), KEYS, 2)).toEqual({ type: 'state', state: at(2) });
    expect(onKey('PageUp', {}, at(0), KEYS, 2)).toEqual({ type: 'state', state: at(0) });
    expect(onKey('ArrowDown', {}, EMPTY, [], 3)).toEqual({ type: 'none' });
  });

  it('selects with Space, all with ⌘A (Ctrl+A off the Mac), none with Escape', () => {
    expect(onKey(' ', {}, at(2), KEYS, 3)).toEqual({ type: 'state', state: at(2, ['c']) });
    expect(onKey(' ', {}, at(2, ['c']), KEYS, 3)).toEqual({ type: 'state', state: at(2, []) });
    expect(onKey('Spacebar', {}, at(0, ['c']), KEYS, 3)).toEqual({ type: 'state', state: at(0, ['a', 'c']) });
    expect(onKey(' ', {}, EMPTY, KEYS, 3)).toEqual({ type: 'state', state: at(0, ['a']) });
    expect(onKey(' ', {}, EMPTY, [], 3)).toEqual({ type: 'none' });
    expect(onKey('a', { meta: true }, at(1), KEYS, 3)).toEqual({ type: 'state', state: at(1, KEYS) });
    expect(onKey('A', { meta: true }, EMPTY, KEYS, 3)).toEqual({ type: 'state', state: { cursor: 0, anchor: -1, selected: KEYS } });
    expect(onKey('a', { ctrl: true }, at(1), KEYS, 3)).toEqual({ type: 'none' });
    expect(onKey('a', { ctrl: true }, at(1), KEYS, 3, false)).toEqual({ type: 'state', state: at(1, KEYS) });
    expect(onKey('a', {}, at(1), KEYS, 3)).toEqual({ type: 'none' });
    expect(onKey('Escape', {}, at(1, ['a', 'b']), KEYS, 3)).toEqual({ type: 'state', state: at(1, []) });
    expect(onKey('Escape', {}, at(1), KEYS, 3)).toEqual({ type: 'none' });
  });

  it('opens with Return or ⌘↓, goes up with Backspace or ⌘↑ (Ctrl off the Mac)', () => {
    expect(onKey('Enter', {}, at(3), KEYS, 3)).toEqual({ type: 'open', index: 3 });
    expect(onKey('Enter', {}, EMPTY, KEYS, 3)).toEqual({ type: 'none' });
    expect(onKey('Enter', {}, at(9), KEYS, 3)).toEqual({ type: 'open', index: 4 });
    expect(onKey('ArrowDown', { meta: true }, at(2), KEYS, 3)).toEqual({ type: 'open', index: 2 });
    expect(onKey('ArrowDown', { meta: true }, EMPTY, KEYS, 3)).toEqual({ type: 'none' });
    expect(onKey('ArrowUp', { meta: true }, at(2), KEYS, 3)).toEqual({ type: 'up' });
    expect(onKey('ArrowUp', { ctrl: true }, at(2), KEYS, 3, false)).toEqual({ type: 'up' });
    expect(onKey('ArrowUp', { ctrl: true }, at(2), KEYS, 3)).toEqual({ type: 'state', state: at(1) });
    expect(onKey('Backspace', {}, at(2), KEYS, 3)).toEqual({ type: 'up' });
    expect(onKey('x', {}, at(2), KEYS, 3)).toEqual({ type: 'none' });
  });

  it('clicks as Finder: a row alone, ⌘ toggles one, Shift a range from the anchor', () => {
    expect(click(at(0, ['a', 'b']), 3, KEYS)).toEqual(at(3, ['d']));
    expect(click(at(3, ['d']), 1, KEYS, { meta: true })).toEqual(at(1, ['b', 'd']));
    expect(click(at(1, ['b', 'd']), 1, KEYS, { ctrl: true })).toEqual(at(1, ['d']));
    expect(click(at(1, ['b'], 1), 3, KEYS, { shift: true })).toEqual(at(3, ['b', 'c', 'd'], 1));
    expect(click(at(1), 7, KEYS)).toEqual(at(1));
    expect(click(at(1), -1, KEYS)).toEqual(at(1));
  });

  it('moves from no cursor or anchor, and toggles keep the list’s order', () => {
    expect(moveTo(EMPTY, 2, KEYS, true)).toEqual(at(2, ['c'], 2));
    expect(moveTo({ cursor: 1, anchor: -1, selected: [] }, 3, KEYS, true)).toEqual(at(3, ['b', 'c', 'd'], 1));
    expect(moveTo(at(1, [], 9), 0, KEYS, true)).toEqual(at(0, KEYS, 4));
    expect(moveTo(at(1), 9, [], false)).toEqual(EMPTY);
    expect(toggle(at(4, ['e']), [])).toEqual(at(4, ['e']));
    expect(toggle(at(0, ['e']), KEYS).selected).toEqual(['a', 'e']);
  });

  it('starts a new list on the row asked for, and keeps what is still there when the list is redrawn', () => {
    expect(freshState(KEYS, 'c')).toEqual(at(2));
    expect(freshState(KEYS, 'z')).toEqual(EMPTY);
    expect(freshState(KEYS)).toEqual(EMPTY);
    expect(carryOver(at(4, ['b', 'e']), ['a', 'b', 'c'])).toEqual(at(2, ['b']));
    expect(carryOver(at(2, ['b'], 1), [])).toEqual({ cursor: -1, anchor: -1, selected: [] });
    expect(withCursorOn(at(0, ['b']), KEYS, 'd')).toEqual(at(3, ['b']));
    expect(withCursorOn(at(0, ['b']), KEYS, null)).toEqual(at(0, ['b']));
    expect(withCursorOn(at(0, ['b']), KEYS, 'z')).toEqual(at(0, ['b']));
  });
});

function archive(over: Partial<ArchiveSummary> = {}): ArchiveSummary {
  return {
    name: 'mbp-daily-2026-12-03T10:00:00',
    id: 'id',
    start: new Date(2026, 11, 3, 10, 0).toISOString(),
    nfiles: 412_345,
    originalSize: 52_300_000_000,
    deduplicatedSize: 1,
    durationSeconds: 1,
    ...over,
  };
}

const entry = (name: string, type: FolderEntry['type'] = 'file', folder = 'home/me'): FolderEntry => ({
  name,
  path: folder ? `${folder}/${name}` : name,
  type,
  size: 1234,
  mtime: '2026-12-01T10:00:00.000Z',
});

describe('what the window says', () => {
  const NOW = new Date(2026, 11, 3, 15, 0);

  it('says a backup by its local day and time, with size and file count when our records know them', () => {
    expect(archiveWords(archive(), NOW)).toEqual({ when: 'Today, 10:00 AM', detail: '52 GB · 412,345 files' });
    expect(archiveWords(archive({ nfiles: 1, originalSize: null }), NOW).detail).toBe('1 file');
    expect(archiveWords(archive({ nfiles: null, originalSize: 999 }), NOW).detail).toBe('999 B');
    expect(archiveWords(archive({ nfiles: null, originalSize: null }), NOW).detail).toBeNull();
    expect(archiveWords(archive({ start: '' }), NOW).when).toBe('mbp-daily-2026-12-03T10:00:00');
    expect(archiveWords(archive({ start: new Date(2026, 11, 2, 9, 5).toISOString() }), NOW).when).toBe('Yesterday, 9:05 AM');
  });

  it('lists backups newest first, ties by name', () => {
    const a = archive({ name: 'a', start: '2026-12-01T10:00:00.000Z' });
    const b = archive({ name: 'b', start: '2026-12-03T10:00:00.000Z' });
    const c = archive({ name: 'c', start: '2026-12-01T10:00:00.000Z' });
    expect(newestFirst([a, b, c]).map((x) => x.name)).toEqual(['b', 'c', 'a']);
    expect(newestFirst([c, b, a]).map((x) => x.name)).toEqual(['b', 'c', 'a']);
  });

  it('says a row’s kind, size and date; a folder has no size, a folder only implied has no date', () => {
    expect(kindWord('dir')).toBe('Folder');
    expect(kindWord('file')).toBe('File');
    expect(kindWord('link')).toBe('Symbolic link');
    expect(kindWord('other')).toBe('Special file');
    expect(sizeWord({ type: 'dir', size: 0 })).toBe('--');
    expect(sizeWord({ type: 'file', size: 1234 })).toBe('1.2 kB');
    expect(modifiedWord(null, NOW)).toBe('--');
    expect(modifiedWord('not a date', NOW)).toBe('--');
    expect(modifiedWord(new Date(2026, 11, 3, 9, 30).toISOString(), NOW)).toBe('Today, 9:30 AM');
  });

  it('builds the breadcrumb, the parent, and the child on the way down', () => {
    expect(crumbs('', 'Today, 10:00 AM')).toEqual([{ label: 'Today, 10:00 AM', folder: '' }]);
    expect(crumbs('home/me/Documents', 'Top')).toEqual([
      { label: 'Top', folder: '' },
      { label: 'home', folder: 'home' },
      { label: 'me', folder: 'home/me' },
      { label: 'Documents', folder: 'home/me/Documents' },
    ]);
    expect(parentOf('home/me/Documents')).toBe('home/me');
    expect(parentOf('home')).toBe('');
    expect(parentOf('')).toBe('');
    expect(childTowards('home', 'home/me/Documents')).toBe('home/me');
    expect(childTowards('', 'home/me')).toBe('home');
    expect(childTowards('home/me', 'home/me')).toBeNull();
    expect(childTowards('home/you', 'home/me/x')).toBeNull();
    expect(childTowards('home/m', 'home/me/x')).toBeNull();
  });

  it('orders as Finder: folders first, numbers as numbers, case ignored; search results by folder', () => {
    const names = [entry('file10'), entry('File2'), entry('zeta', 'dir'), entry('alpha', 'dir'), entry('file1')];
    expect([...names].sort(finderCompare).map((e) => e.name)).toEqual(['alpha', 'zeta', 'file1', 'File2', 'file10']);
    expect([entry('a'), entry('A')].sort(finderCompare).map((e) => e.name)).toEqual(['A', 'a']);
    const found = [
      entry('x', 'file', 'home/me/b10'),
      entry('y', 'file', 'home/me/b2'),
      entry('b', 'dir', 'home'),
      entry('a', 'file', 'home'),
    ];
    expect(searchOrder(found).map((e) => e.path)).toEqual(['home/b', 'home/a', 'home/me/b2/y', 'home/me/b10/x']);
  });

  it('marks each version changed or not against the one before, newest first', () => {
    const v = (archive: string, time: string, size: number, changed?: boolean | null): FileVersion => ({
      archive,
      time,
      type: 'file',
      size,
      mtime: `m${size}`,
      changed: changed as boolean | null,
    });
    const rows = versionRows([v('b', '2026-12-02', 10), v('a', '2026-12-01', 10), v('c', '2026-12-03', 20)]);
    expect(rows.map((r) => [r.archive, r.change])).toEqual([
      ['c', 'changed'],
      ['b', 'same'],
      ['a', 'first'],
    ]);
    // The engine's own mark wins where it gives one.
    expect(versionRows([v('a', '1', 10, null), v('b', '2', 10, true)]).map((r) => r.change)).toEqual(['changed', 'first']);
    expect(versionRows([v('a', '1', 10, null), v('b', '2', 20, false)]).map((r) => r.change)).toEqual(['same', 'first']);
    expect(versionRows([{ ...v('a', '1', 10), type: 'dir' }, v('b', '2', 10)]).map((r) => r.change)).toEqual(['changed', 'first']);
    expect(changeWord('first')).toBe('Oldest version');
    expect(changeWord('changed')).toBe('Changed');
    expect(changeWord('same')).toBe('Unchanged');
    expect(versionsSummary(rows)).toBe('2 versions in 3 backups');
    expect(versionsSummary(rows.slice(2))).toBe('1 version in 1 backup');
    expect(versionsSummary([])).toBe('No backup holds this file.');
  });

  it('says a restore’s progress, waiting, and its end, in place and into a new folder', () => {
    expect(restoreTitle(['home/me/report.pdf'], false)).toBe('Restoring “report.pdf”');
    expect(restoreTitle(['a', 'b', 'c'], true)).toBe('Putting back 3 items');
    expect(progressWords(null)).toEqual({ percent: null, figures: 'Starting…', path: '' });
    expect(progressWords({ kind: 'restore', archive: 'a', percent: 42.9, nfiles: 1234, bytes: 56_700_000, path: 'home/me/x' })).toEqual({
      percent: '42%',
      figures: '42% · 1,234 files · 57 MB',
      path: 'home/me/x',
    });
    expect(progressWords({ kind: 'restore', archive: 'a', percent: null, nfiles: 1, bytes: 5, path: 'p' }).figures).toBe('1 file · 5 B');
    expect(
      progressWords({ kind: 'restore', archive: null, percent: null, nfiles: 0, bytes: 0, path: '', waitingFor: 'backup of "p" (/r)' })
        .figures,
    ).toBe('Waiting for the backup of "p" (/r) to finish…');

    const result = (over: Partial<RestoreResult>): RestoreResult => ({
      record: {} as OpRecord,
      folder: null,
      files: 3,
      bytes: 2048,
      keptBoth: [],
      identical: 0,
      ...over,
    });
    expect(resultWords(result({ folder: '/Users/me/Downloads/Restored from x' }), false)).toEqual({
      title: 'Restored 3 files (2.0 kB)',
      lines: ['Into the new folder /Users/me/Downloads/Restored from x'],
    });
    expect(resultWords(result({ files: 1, bytes: 5 }), false)).toEqual({ title: 'Restored 1 file (5 B)', lines: [] });
    expect(resultWords(result({ files: 1, identical: 1, keptBoth: [{ path: 'a', restoredAs: 'a (restored)' }] }), true)).toEqual({
      title: 'Put back 1 file (2.0 kB)',
      lines: [
        '1 file was already the same and left alone.',
        '1 file has changed since this backup: kept as it is, with the restored copy beside it.',
      ],
    });
    const two = [
      { path: 'a', restoredAs: 'a2' },
      { path: 'b', restoredAs: 'b2' },
    ];
    expect(resultWords(result({ identical: 2, keptBoth: two }), true).lines).toEqual([
      '2 files were already the same and left alone.',
      '2 files have changed since this backup: kept as they are, with the restored copies beside them.',
    ]);
    expect(resultWords(result({ files: 0, identical: 4 }), true).title).toBe('Everything was already in place');
    expect(itemsWord(1)).toBe('1 item');
    expect(itemsWord(10_000)).toBe('10,000 items');
  });
});

describe('the verification header', () => {
  const NOW = new Date('2026-12-03T12:00:00.000Z');
  const ago = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
  const op = (over: Partial<OpRecord>): OpRecord => ({
    kind: 'check',
    profile: 'p',
    repository: '/r',
    trigger: 'manual',
    startedAt: ago(1),
    finishedAt: ago(0.5),
    result: 'success',
    archive: null,
    message: null,
    diagnoses: [],
    log: null,
    ...over,
  });
  const damage = { kind: 'unknown' as const, message: 'Damaged.', fix: 'Repair.' };

  it('says nothing without the verify fields, and both dates in words with them', () => {
    expect(verifyView({}, null, NOW)).toEqual({ lines: [], failure: null });
    expect(verifyView({ lastVerified: ago(72), lastProven: ago(2), verifyOverdue: false, verifyFailed: null }, null, NOW)).toEqual({
      lines: [
        { text: 'Verified 3 days ago', tone: 'ok' },
        { text: 'Restore proven 2 hours ago', tone: 'ok' },
      ],
      failure: null,
    });
    expect(verifyView({ lastVerified: null, lastProven: null, verifyOverdue: false, verifyFailed: null }, null, NOW).lines).toEqual([
      { text: 'Not verified yet', tone: 'neutral' },
      { text: 'Restore not proven yet', tone: 'neutral' },
    ]);
    expect(verifiedWords(null, true, NOW)).toBe('Not verified yet · verification overdue');
    expect(provenWords(ago(0), NOW)).toBe('Restore proven just now');
  });

  it('warns when overdue, and shows a failed check or drill with its diagnosis instead', () => {
    expect(
      verifyView({ lastVerified: ago(24 * 40), lastProven: null, verifyOverdue: true, verifyFailed: null }, null, NOW).lines[0],
    ).toEqual({
      text: 'Verified 6 weeks ago · verification overdue',
      tone: 'warning',
    });
    const failed = verifyView(
      { lastVerified: ago(100), lastProven: null, verifyOverdue: true, verifyFailed: { kind: 'drill', at: ago(1), diagnosis: damage } },
      null,
      NOW,
    );
    expect(failed.failure).toEqual({ title: 'The last restore drill failed', diagnosis: damage, at: ago(1) });
    expect(failed.lines[0]!.text).toBe('Verified 4 days ago');
    // Beside a failure the last good dates are not a green light.
    expect(failed.lines.map((l) => l.tone)).toEqual(['neutral', 'neutral']);
  });

  it('follows a check or drill heard after the snapshot: a failure appears, a success clears it and moves the date', () => {
    const base = { lastVerified: ago(100), lastProven: ago(100), verifyOverdue: true, verifyFailed: null };
    const bad = verifyView(base, op({ result: 'error', diagnoses: [damage] }), NOW);
    expect(bad.failure).toEqual({ title: 'The last check found a problem', diagnosis: damage, at: ago(0.5) });
    expect(verifyView(base, op({ result: 'error', diagnoses: [] }), NOW).failure!.diagnosis).toBeNull();
    const good = verifyView({ ...base, verifyFailed: { kind: 'check', at: ago(2), diagnosis: damage } }, op({}), NOW);
    expect(good.failure).toBeNull();
    expect(good.lines[0]).toEqual({ text: 'Verified 30 minutes ago', tone: 'ok' });
    const drill = verifyView(base, op({ kind: 'drill' }), NOW);
    expect(drill.lines.map((l) => l.text)).toEqual(['Verified 4 days ago', 'Restore proven 30 minutes ago']);
    // An older record than the snapshot's says nothing new; a drill's success does not clear a check's failure.
    expect(verifyView({ ...base, lastVerified: ago(0.1) }, op({}), NOW).lines[0]!.text).toBe(
      'Verified 6 minutes ago · verification overdue',
    );
    const stillBad = verifyView({ ...base, verifyFailed: { kind: 'check', at: ago(2), diagnosis: damage } }, op({ kind: 'drill' }), NOW);
    expect(stillBad.failure?.title).toBe('The last check found a problem');
    // A cancelled check proves nothing; an error older than the snapshot's failure does not replace it.
    expect(verifyView(base, op({ result: 'cancelled' }), NOW).lines[0]!.text).toBe('Verified 4 days ago · verification overdue');
    const drillFailed = { kind: 'drill' as const, at: ago(0.1), diagnosis: damage };
    expect(verifyView({ ...base, verifyFailed: drillFailed }, op({ result: 'error', diagnoses: [damage] }), NOW).failure!.title).toBe(
      'The last restore drill failed',
    );
    // A check that passed before the failure was seen does not clear it.
    expect(verifyView({ ...base, verifyFailed: { ...drillFailed, kind: 'check' } }, op({}), NOW).failure).not.toBeNull();
    // Any one of the verify fields means the snapshot knows about verification.
    expect(verifyView({ lastProven: ago(1) }, null, NOW).lines).toHaveLength(2);
    expect(verifyView({ lastVerified: ago(1) }, null, NOW).lines).toHaveLength(2);
    expect(verifyView({ verifyOverdue: true }, null, NOW).lines[0]).toEqual({
      text: 'Not verified yet · verification overdue',
      tone: 'warning',
    });
    // A restore record is not a verification.
    expect(verifyView({}, op({ kind: 'restore' }), NOW)).toEqual({ lines: [], failure: null });
    expect(verifyView({}, op({}), NOW).lines.map((l) => l.text)).toEqual(['Verified 30 minutes ago', 'Restore not proven yet']);
  });
});
