import { describe, expect, it } from 'vitest';
import { joinArchiveStats, parseArchiveList } from '../../src/repo/archives.js';
import { childOf, collectJsonLines, collectPaths, FolderCollector } from '../../src/repo/contents.js';
import { parseEncryptionMode } from '../../src/repo/probe.js';
import { listFolderArgs, listImplicitArgs, probeArgs, pyRegexLiteral } from '../../src/borg/argv.js';
import type { RunRecord } from '../../src/records.js';

const item = (type: string, path: string, size = 0) =>
  JSON.stringify({
    type,
    mode: '',
    user: 'u',
    group: 'g',
    uid: 1,
    gid: 1,
    path,
    healthy: true,
    source: '',
    linktarget: '',
    flags: 0,
    mtime: '2026-03-01T10:00:00.123456',
    size,
  });

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

  it('keeps only direct children, folders first, implicit folders without a time', () => {
    const c = new FolderCollector('/home/');
    collectJsonLines(
      [
        item('-', 'home/b.txt', 5),
        item('d', 'home/Docs'),
        item('l', 'home/link'),
        item('-', 'home/Docs/x', 9),
        'not json',
        item('-', 'elsewhere', 1),
      ].join('\n') + '\n',
      c,
    );
    collectPaths('home/me/Documents/f\0home/me/Documents\0home/Docs/deeper\0home/new\nline/x\0', c);
    expect(c.storedDirs()).toEqual(['Docs', 'me', 'new\nline']);
    expect(c.result()).toEqual([
      { name: 'Docs', path: 'home/Docs', type: 'dir', size: 0, mtime: new Date('2026-03-01T10:00:00.123').toISOString() },
      { name: 'me', path: 'home/me', type: 'dir', size: 0, mtime: null },
      { name: 'new\nline', path: 'home/new\nline', type: 'dir', size: 0, mtime: null },
      { name: 'b.txt', path: 'home/b.txt', type: 'file', size: 5, mtime: new Date('2026-03-01T10:00:00.123').toISOString() },
      { name: 'link', path: 'home/link', type: 'link', size: 0, mtime: new Date('2026-03-01T10:00:00.123').toISOString() },
    ]);
  });

  it('orders names as a person reads them', () => {
    const c = new FolderCollector('');
    collectJsonLines([item('-', 'file10'), item('-', 'File2'), item('-', 'file1'), item('p', 'fifo')].join('\n'), c);
    expect(c.result().map((e) => `${e.name}:${e.type}`)).toEqual(['fifo:other', 'file1:file', 'File2:file', 'file10:file']);
  });
});

describe('argv for the repository operations', () => {
  it('escapes a folder for a Python regex, keeping slashes and letters', () => {
    expect(pyRegexLiteral('-rf/a.b (1)[x]*$')).toBe('\\-rf/a\\.b\\ \\(1\\)\\[x\\]\\*\\$');
    expect(pyRegexLiteral('Fotos/Ünïcode')).toBe('Fotos/Ünïcode');
  });

  it('lists one folder with patterns in one word and the archive after --', () => {
    expect(listFolderArgs('/r', 'a', '-rf', 'linux')).toEqual([
      'list',
      '--log-json',
      '--json-lines',
      '--pattern=+re:^\\-rf/[^/]+\\Z',
      '--pattern=-re:^',
      '--',
      '/r::a',
    ]);
    expect(listFolderArgs('/r', 'a', '', 'linux')[3]).toBe('--pattern=+re:^[^/]+\\Z');
  });

  it('looks below a folder only outside the children stored as folders', () => {
    expect(listImplicitArgs('/r', 'a', 'home', ['Docs', 'a.b'], 'linux')).toEqual([
      'list',
      '--log-json',
      '--format={path}{NUL}',
      '--pattern=-re:^home/[^/]+\\Z',
      '--pattern=-re:^home/(?:Docs|a\\.b)/',
      '--pattern=+re:^home/',
      '--pattern=-re:^',
      '--',
      '/r::a',
    ]);
    expect(listImplicitArgs('/r', 'a', 'e\u0301', [], 'darwin')[3]).toBe('--pattern=-re:^e\u0301/[^/]+\\Z');
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
