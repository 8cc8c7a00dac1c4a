import { describe, expect, it } from 'vitest';
import { joinArchiveStats, parseArchiveList } from '../../src/repo/archives.js';
import { childOf, sortEntries, type FolderEntry } from '../../src/repo/contents.js';
import { parseEncryptionMode } from '../../src/repo/probe.js';
import { probeArgs, pyRegexLiteral } from '../../src/borg/argv.js';
import type { RunRecord } from '../../src/records.js';

describe('archive list and history join', () => {
  const listed = JSON.stringify({
    archives: [
      { archive: 'a1', name: 'a1', id: 'i1', start: '2026-03-01T10:00:00.000000', time: '2026-03-01T10:00:00.000000' },
      { archive: 'a2', name: 'a2', id: 'i2', start: '2026-03-02T10:00:00.000000' },
    ],
    encryption: { mode: 'none' },
  });

  it('reads borg list --json, times as UTC ISO', () => {
    expect(parseArchiveList(listed)).toEqual([
      { name: 'a1', id: 'i1', start: new Date('2026-03-01T10:00:00').toISOString() },
      { name: 'a2', id: 'i2', start: new Date('2026-03-02T10:00:00').toISOString() },
    ]);
    expect(parseArchiveList('Traceback')).toBeNull();
    expect(parseArchiveList('{}')).toBeNull();
  });

  it('joins the latest record of each archive from this repository, nulls otherwise', () => {
    const rec = (archive: string, nfiles: number, repository?: string): RunRecord => ({
      profile: 'p',
      trigger: 'manual',
      startedAt: '',
      finishedAt: '',
      result: 'success',
      archive,
      stats: { originalSize: nfiles * 10, compressedSize: 0, deduplicatedSize: nfiles, nfiles, durationSeconds: 2 },
      message: null,
      diagnoses: [],
      log: null,
      ...(repository ? { repository } : {}),
    });
    const joined = joinArchiveStats(parseArchiveList(listed)!, [rec('a1', 1), rec('a1', 3, '/r'), rec('a2', 5, '/other')], '/r');
    expect(joined[0]).toMatchObject({ name: 'a1', nfiles: 3, originalSize: 30, deduplicatedSize: 3, durationSeconds: 2 });
    expect(joined[1]).toMatchObject({ name: 'a2', nfiles: null, originalSize: null, deduplicatedSize: null, durationSeconds: null });
  });
});

describe('direct children of an archive folder', () => {
  it('places a path relative to a folder', () => {
    expect(childOf('', 'a')).toEqual({ name: 'a', direct: true });
    expect(childOf('', 'a/b')).toEqual({ name: 'a', direct: false });
    expect(childOf('a', 'a/b/c')).toEqual({ name: 'b', direct: false });
    expect(childOf('a', 'a')).toBeNull();
    expect(childOf('a', 'ab/c')).toBeNull();
    expect(childOf('', '.')).toBeNull();
  });

  it('orders folders first, then names as a person reads them, ties by code point', () => {
    const e = (name: string, type: FolderEntry['type'] = 'file'): FolderEntry => ({ name, path: name, type, size: 0, mtime: null });
    const sorted = sortEntries([
      e('file10'),
      e('File2'),
      e('file1'),
      e('fifo', 'other'),
      e('zdir', 'dir'),
      e('Adir', 'dir'),
      e('a'),
      e('A'),
    ]);
    expect(sorted.map((x) => x.name)).toEqual(['Adir', 'zdir', 'A', 'a', 'fifo', 'file1', 'File2', 'file10']);
  });
});

describe('argv for the repository operations', () => {
  it('escapes a folder for a Python regex, keeping slashes and letters', () => {
    expect(pyRegexLiteral('-rf/a.b (1)[x]*$')).toBe('\\-rf/a\\.b\\ \\(1\\)\\[x\\]\\*\\$');
    expect(pyRegexLiteral('Fotos/Ünïcode')).toBe('Fotos/Ünïcode');
  });

  it('probes the repository with a listing of at most one archive', () => {
    expect(probeArgs('/r')).toEqual(['list', '--log-json', '--json', '--last=1', '--', '/r']);
  });

  it('reads the encryption mode', () => {
    expect(parseEncryptionMode('{"encryption":{"mode":"repokey-blake2"}}')).toBe('repokey-blake2');
    expect(parseEncryptionMode('{"encryption":{"mode":"rot13"}}')).toBeNull();
    expect(parseEncryptionMode('')).toBeNull();
  });
});
