/**
 * Browsing archives against real borg: the index one `borg list --json-lines` pass makes is checked
 * against what borg lists (folders that exist only above a source, names with spaces, newlines and
 * bytes that are not UTF-8, a folder of 10,000 files); later answers run no borg pass (a borg wrapper
 * counts them); an index is dropped when its archive is deleted, evicted under the size cap, rebuilt
 * when damaged; find and versions across archives; the CLI end to end.
 */
import fs from 'node:fs/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type FolderEntry } from '../../src/engine.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { borgTime } from '../../src/repo/types.js';
import { borg, dandelion, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { freshRepository } from '../helpers/repo-template.js';

let sb: Sandbox;
let src: string;
let repo: string;
let calls: string;
let indexDir: string;
let repositoryId: string;
const ids: Record<string, string> = {};
const engines: Engine[] = [];

/** The sources as borg stores them: no leading "/". */
const rel = (p: string) => p.slice(1);

async function open(): Promise<Engine> {
  const { engine, load } = await Engine.open({ configDir: sb.configDir, secrets: new MemorySecretStore() });
  expect(load.ok).toBe(true);
  engines.push(engine);
  return engine;
}

/** How many `borg list --json-lines` passes the wrapper has seen. */
async function passes(): Promise<number> {
  const text = await fs.readFile(calls, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.includes('--json-lines')).length;
}

/** How many listings of archives (`borg list --json`) the wrapper has seen. */
async function listings(): Promise<number> {
  const text = await fs.readFile(calls, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.startsWith('list ') && / --json( |$)/.test(l)).length;
}

async function create(name: string, sources: string[]): Promise<void> {
  const r = await borg(sb, ['create', `${repo}::${name}`, ...sources]);
  expect(r.exitCode, r.stderr).toBe(0);
}

const indexFile = (archive: string) => path.join(indexDir, repositoryId, `${ids[archive]}.idx`);
const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

/** Waits for the index writes an answer did not wait for. */
async function settled(engine: Engine): Promise<void> {
  const browser = await (engine as unknown as { repo: { browser(): Promise<{ settle(): Promise<void> }> } }).repo.browser();
  await browser.settle();
}

beforeAll(async () => {
  sb = await sandbox('dandelion-browse-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  src = path.join(sb.dir, 'src');
  repo = path.join(sb.dir, 'repo');
  calls = path.join(sb.dir, 'borg-calls.log');
  indexDir = path.join(sb.configDir, 'cache', 'archive-index');
  const wrapper = path.join(sb.dir, 'borg-counting.sh');
  await fs.writeFile(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\nexec borg "$@"\n`, { mode: 0o755 });

  // Sources /…/src/x/y/z and /…/src/w: everything above them (…, src, x, y) exists only implicitly.
  const z = path.join(src, 'x', 'y', 'z');
  const big = path.join(src, 'w', 'big');
  await fs.mkdir(z, { recursive: true });
  await fs.mkdir(big, { recursive: true });
  await fs.writeFile(path.join(z, 'sp ace.txt'), 'spaces');
  await fs.writeFile(path.join(z, 'new\nline.txt'), 'newline');
  writeFileSync(Buffer.concat([Buffer.from(`${z}/latin1-`), Buffer.from([0xe9, 0xff]), Buffer.from('.txt')]), 'not utf-8');
  await fs.symlink('sp ace.txt', path.join(z, 'link'));
  await fs.writeFile(path.join(src, 'w', 'doc.txt'), 'version 1');
  for (let i = 0; i < 10_000; i++) writeFileSync(path.join(big, `file${i}.dat`), String(i));
  await freshRepository(repo, 'none');
  await create('t-1', [z, path.join(src, 'w')]);
  await fs.writeFile(path.join(src, 'w', 'doc.txt'), 'version two');
  await fs.utimes(path.join(src, 'w', 'doc.txt'), new Date('2026-11-02T10:00:00Z'), new Date('2026-11-02T10:00:00Z'));
  await fs.writeFile(path.join(src, 'w', 'added.txt'), 'new in t-2');
  // An hour with one digit beside doc.txt's two: "9:05 AM" and "10:00 AM" in a 12-hour locale (the CLI's columns).
  await fs.utimes(path.join(src, 'w', 'added.txt'), new Date('2026-11-02T09:05:00Z'), new Date('2026-11-02T09:05:00Z'));
  await create('t-2', [z, path.join(src, 'w')]);
  await create('t-3', [z, path.join(src, 'w')]);
  const list = JSON.parse((await borg(sb, ['list', '--json', repo])).stdout) as {
    repository: { id: string };
    archives: { name: string; id: string }[];
  };
  repositoryId = list.repository.id;
  for (const a of list.archives) ids[a.name] = a.id;
  await writeConfig(sb.configDir, {
    profiles: [{ id: 'p', repository: repo, encryption: 'none', sources: [src], archiveName: 't-{now}', prune: null, borgPath: wrapper }],
  });
}, 300_000);

afterAll(async () => {
  for (const e of engines) await e.cancelAll();
  await sb?.cleanup();
});

describe('the index against borg list', () => {
  it('holds every item borg lists, the folders above the sources, and nothing else', async () => {
    const engine = await open();
    // Every folder of the archive, one listFolder each, from the top down.
    const seen = new Map<string, FolderEntry>();
    const folders = [''];
    while (folders.length) {
      const folder = folders.shift()!;
      const r = await engine.listFolder('p', 't-1', folder);
      expect(r.ok, folder).toBe(true);
      if (!r.ok) return;
      for (const e of r.value) {
        expect(seen.has(e.path), e.path).toBe(false);
        seen.set(e.path, e);
        if (e.type === 'dir') folders.push(e.path);
      }
    }
    const listed = (await borg(sb, ['list', '--json-lines', `${repo}::t-1`])).stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { path: string; type: string; size: number; mtime: string });
    const implicit = new Set<string>();
    for (const item of listed) {
      const e = seen.get(item.path);
      expect(e, item.path).toBeDefined();
      expect(e!.type).toBe({ d: 'dir', '-': 'file', l: 'link' }[item.type]);
      expect(e!.size).toBe(item.type === 'd' ? 0 : item.size);
      expect(e!.mtime).toBe(borgTime(item.mtime));
      const parts = item.path.split('/');
      for (let i = 1; i < parts.length; i++) implicit.add(parts.slice(0, i).join('/'));
    }
    for (const item of listed) implicit.delete(item.path);
    for (const p of implicit) expect(seen.get(p), p).toMatchObject({ type: 'dir', mtime: null });
    expect(seen.size).toBe(listed.length + implicit.size);
    // The folders above a source: src, x and y were not backed up, yet are there to open.
    expect(implicit).toEqual(
      new Set([
        ...rel(src)
          .split('/')
          .map((_, i, a) => a.slice(0, i + 1).join('/')),
        `${rel(src)}/x`,
        `${rel(src)}/x/y`,
      ]),
    );
    // Names as borg lists them: with a space, with a newline, and borg 1.2's "?" for bytes that are not UTF-8.
    const z = `${rel(src)}/x/y/z`;
    for (const name of ['sp ace.txt', 'new\nline.txt', 'latin1-??.txt', 'link']) expect(seen.has(`${z}/${name}`), name).toBe(true);
    expect(seen.get(`${z}/link`)).toMatchObject({ type: 'link', size: 'sp ace.txt'.length });
  }, 120_000);

  it('lists a folder of 10,000 files in Finder order without running borg again', async () => {
    const engine = await open();
    const before = await passes();
    const t0 = performance.now();
    const r = await engine.listFolder('p', 't-1', `${rel(src)}/w/big`);
    const ms = performance.now() - t0;
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toHaveLength(10_000);
    expect(r.value.slice(0, 3).map((e) => e.name)).toEqual(['file0.dat', 'file1.dat', 'file2.dat']);
    expect(r.value[10]!.name).toBe('file10.dat');
    expect(r.value.every((e) => e.type === 'file' && e.mtime !== null)).toBe(true);
    expect(await passes()).toBe(before);
    // Generous: a two-core machine running the whole suite took 2.4 s at load 20; docs/benchmarks.md has the real figure.
    expect(ms).toBeLessThan(5000);
  });
});

describe('one pass per archive', () => {
  it('hands over the first entries while borg is still listing', async () => {
    // A borg that stalls its --json-lines output after the first bytes, as a slow disk or link does.
    const slow = path.join(sb.dir, 'borg-slow.sh');
    await fs.writeFile(
      slow,
      `#!/bin/bash\nset -o pipefail\ncase "$*" in *--json-lines*) borg "$@" | { head -c 3000; sleep 2; cat; } ;; *) exec borg "$@" ;; esac\n`,
      { mode: 0o755 },
    );
    const config = JSON.parse(await fs.readFile(path.join(sb.configDir, 'config.json'), 'utf8')) as { profiles: Record<string, unknown>[] };
    const dir = path.join(sb.dir, 'config-slow');
    await fs.mkdir(dir);
    await writeConfig(dir, { profiles: [{ ...config.profiles[0], borgPath: slow }] });
    const { engine } = await Engine.open({ configDir: dir, secrets: new MemorySecretStore() });
    engines.push(engine);
    const t0 = performance.now();
    let firstAt = 0;
    const partial: FolderEntry[] = [];
    const events: unknown[] = [];
    engine.on('folder-partial', (e) => events.push(e));
    const r = await engine.listFolder('p', 't-2', '', {
      onPartial: (entries) => {
        firstAt ||= performance.now() - t0;
        partial.push(...entries);
      },
    });
    const doneAt = performance.now() - t0;
    expect(r.ok && r.value.map((e) => e.path)).toEqual([rel(src).split('/')[0]]);
    expect(partial.map((e) => e.path)).toEqual([rel(src).split('/')[0]]);
    expect(firstAt).toBeGreaterThan(0);
    expect(doneAt - firstAt).toBeGreaterThan(1500);
    expect(events).toEqual([{ profile: 'p', archive: 't-2', folder: '', entries: partial }]);
  }, 60_000);

  it('uses the listing of archives a window asked for first, with no listing of its own', async () => {
    const engine = await open();
    const before = await listings();
    expect((await engine.archives('p')).ok).toBe(true);
    expect(await listings()).toBe(before + 1);
    expect((await engine.listFolder('p', 't-1', '')).ok).toBe(true);
    expect((await engine.find('p', 'latest', 'doc')).ok).toBe(true);
    expect(await listings()).toBe(before + 1);
  }, 60_000);

  it('answers later folders, searches and a new process from the index, with no borg pass', async () => {
    const first = await open();
    expect((await first.listFolder('p', 't-3', '')).ok).toBe(true);
    await settled(first);
    const before = await passes();
    expect(await exists(indexFile('t-3'))).toBe(true);
    expect((await first.listFolder('p', 't-3', `${rel(src)}/w`)).ok).toBe(true);
    expect((await first.find('p', 't-3', 'doc')).ok).toBe(true);
    const second = await open();
    const r = await second.listFolder('p', 't-3', `/${rel(src)}/x/y/z/`);
    expect(r.ok && r.value.map((e) => e.name)).toEqual(['latin1-??.txt', 'link', 'new\nline.txt', 'sp ace.txt']);
    const cli = await dandelion(sb, ['browse', 'p', '--archive', 't-3', `${rel(src)}/w`]);
    expect(cli.exitCode, cli.stderr).toBe(0);
    expect(await passes()).toBe(before);
  }, 60_000);
});

describe('find and versions across archives', () => {
  it('finds by a piece of the name or a wildcard, capitals ignored, per archive', async () => {
    const engine = await open();
    const inFirst = await engine.find('p', 't-1', '*.TXT');
    expect(inFirst.ok && inFirst.value.entries.map((e) => e.path.slice(rel(src).length + 1)).sort()).toEqual(
      ['w/doc.txt', 'x/y/z/latin1-??.txt', 'x/y/z/new\nline.txt', 'x/y/z/sp ace.txt'].sort(),
    );
    const added = await engine.find('p', 't-2', 'ADDED');
    expect(added.ok && added.value.entries.map((e) => e.name)).toEqual(['added.txt']);
    expect(await engine.find('p', 't-1', 'added')).toEqual({ ok: true, value: { entries: [], more: false } });
    const capped = await engine.find('p', 't-1', 'file');
    expect(capped.ok && [capped.value.entries.length, capped.value.more]).toEqual([1000, true]);
  }, 120_000);

  it('lists the versions of a file newest first, with sizes, times and where it changed', async () => {
    const engine = await open();
    const doc = `${rel(src)}/w/doc.txt`;
    const v = await engine.versions('p', doc);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.value.map((x) => [x.archive, x.size, x.changed])).toEqual([
      ['t-3', 'version two'.length, false],
      ['t-2', 'version two'.length, true],
      ['t-1', 'version 1'.length, null],
    ]);
    expect(v.value[1]!.mtime).toBe('2026-11-02T10:00:00.000Z');
    expect(v.value.every((x) => x.type === 'file' && Date.parse(x.time) > 0)).toBe(true);
    const before = await passes();
    const added = await engine.versions('p', `/${rel(src)}/w/added.txt`);
    expect(added.ok && added.value.map((x) => x.archive)).toEqual(['t-3', 't-2']);
    expect(await engine.versions('p', `${rel(src)}/w/never.txt`)).toEqual({ ok: true, value: [] });
    expect(await passes()).toBe(before);
  }, 180_000);
});

describe('the cache on disk', () => {
  it('rebuilds a truncated or damaged index instead of trusting it', async () => {
    const engine = await open();
    expect((await engine.listFolder('p', 't-2', '')).ok).toBe(true);
    await settled(engine);
    const file = indexFile('t-2');
    const good = readFileSync(file);
    for (const damage of [(b: Buffer) => b.subarray(0, b.length - 1000), (b: Buffer) => Buffer.from(b).fill(0x41, 4000, 4010)]) {
      writeFileSync(file, damage(good));
      const before = await passes();
      const r = await dandelion(sb, ['browse', 'p', '--archive', 't-2', `${rel(src)}/x/y/z`, '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { entries: FolderEntry[] }).entries.map((e) => e.name)).toContain('new\nline.txt');
      expect(await passes()).toBe(before + 1);
      expect(readFileSync(file).length).toBe(good.length);
    }
  }, 120_000);

  it('keeps under its size cap by dropping the index used longest ago', async () => {
    const engine = await open();
    for (const a of ['t-1', 't-2', 't-3']) expect((await engine.listFolder('p', a, '')).ok).toBe(true);
    await settled(engine);
    const sizes = await Promise.all(['t-1', 't-2', 't-3'].map(async (a) => (await fs.stat(indexFile(a))).size));
    // t-1 used an hour ago, t-2 a minute ago (a use sets the modification time); t-3 is read again: room for two.
    await fs.utimes(indexFile('t-1'), new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    await fs.utimes(indexFile('t-2'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await fs.rm(indexFile('t-3'));
    const capMb = (sizes[1]! + sizes[2]! + 100) / (1024 * 1024);
    const r = await dandelion(sb, ['find', 'p', '--archive', 't-3', 'doc'], { env: { DANDELION_INDEX_CACHE_MB: String(capMb) } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await exists(indexFile('t-3'))).toBe(true);
    expect(await exists(indexFile('t-2'))).toBe(true);
    expect(await exists(indexFile('t-1'))).toBe(false);
  }, 120_000);

  it('drops the index of an archive that was deleted, at the next listing of archives', async () => {
    await create('t-gone', [path.join(src, 'w', 'doc.txt')]);
    const engine = await open();
    expect((await engine.listFolder('p', 't-gone', '')).ok).toBe(true);
    await settled(engine);
    const list = JSON.parse((await borg(sb, ['list', '--json', repo])).stdout) as { archives: { name: string; id: string }[] };
    ids['t-gone'] = list.archives.find((a) => a.name === 't-gone')!.id;
    expect(await exists(indexFile('t-gone'))).toBe(true);
    expect((await borg(sb, ['delete', `${repo}::t-gone`])).exitCode).toBe(0);
    const r = await dandelion(sb, ['archives', 'p']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await exists(indexFile('t-gone'))).toBe(false);
    expect(await exists(indexFile('t-2'))).toBe(true);
    // And browsing it now says it is gone.
    const gone = await dandelion(sb, ['browse', 'p', '--archive', 't-gone']);
    expect(gone.exitCode).toBe(2);
    expect(gone.stderr).toContain('There is no archive "t-gone"');
  }, 120_000);
});

describe('the CLI', () => {
  it('browse prints a folder (names escaped), --json the entries; a missing folder is exit 2', async () => {
    const z = `${rel(src)}/x/y/z`;
    const r = await dandelion(sb, ['browse', 'p', '--archive', 't-1', `/${z}`]);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^/${z.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} in t-1 \\(.+\\): 4 items$`));
    for (const [i, name] of ['latin1-??.txt', 'link (link)', 'new\\nline.txt', 'sp ace.txt'].entries())
      expect(lines[i + 1]).toMatch(new RegExp(`\\S  ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    expect(lines[4]).toMatch(/^ {5}6 B {2}/);
    // Times as wide as the locale words them ("Nov 2, 2026, 9:05 AM UTC", "… 10:00 AM UTC"): the names stay in one column.
    const w = await dandelion(sb, ['browse', 'p', '--archive', 't-2', `${rel(src)}/w`], { env: { TZ: 'UTC', LC_ALL: 'en_US.UTF-8' } });
    expect(w.exitCode, w.stderr).toBe(0);
    const rows = w.stdout.trimEnd().split('\n').slice(1);
    expect(rows.find((l) => l.endsWith('added.txt'))).toContain('Nov 2, 2026, 9:05 AM UTC');
    expect(rows.find((l) => l.endsWith('doc.txt'))).toContain('Nov 2, 2026, 10:00 AM UTC');
    const starts = rows.map((l) => l.replace(/(added\.txt|doc\.txt|big\/)$/, '').length);
    expect(starts).toHaveLength(3);
    expect(new Set(starts).size).toBe(1);
    const top = await dandelion(sb, ['browse', 'p', '--json']);
    expect(top.exitCode, top.stderr).toBe(0);
    const json = JSON.parse(top.stdout) as { archive: { name: string }; folder: string; entries: FolderEntry[] };
    expect(json.archive.name).toBe('t-3');
    expect(json.folder).toBe('');
    expect(json.entries).toEqual([{ name: rel(src).split('/')[0], path: rel(src).split('/')[0], type: 'dir', size: 0, mtime: null }]);
    const missing = await dandelion(sb, ['browse', 'p', 'no/such/folder']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('"no/such/folder" is not in the archive t-3');
    expect((await dandelion(sb, ['browse'])).exitCode).toBe(2);
    expect((await dandelion(sb, ['browse', 'nope'])).exitCode).toBe(2);
  }, 60_000);

  it('find prints paths and exits 1 when nothing matches; versions prints each archive and exits 1 for a path in none', async () => {
    const found = await dandelion(sb, ['find', 'p', 'sp ACE']);
    expect(found.exitCode, found.stderr).toBe(0);
    expect(
      found.stdout.split('\n').some((l) => l.endsWith(`  ${rel(src)}/x/y/z/sp ace.txt`)),
      found.stdout,
    ).toBe(true);
    const none = await dandelion(sb, ['find', 'p', 'nothing-like-this']);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toMatch(/^Nothing in t-3 \(.+\) is named like "nothing-like-this"\.$/m);
    expect((await dandelion(sb, ['find', 'p', 'a/b'])).exitCode).toBe(2);
    const json = await dandelion(sb, ['find', 'p', '--archive', 't-1', 'file1?.dat', '--json']);
    expect(json.exitCode).toBe(0);
    expect((JSON.parse(json.stdout) as { entries: FolderEntry[]; more: boolean }).entries.map((e) => e.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `file1${i}.dat`),
    );

    const doc = `${rel(src)}/w/doc.txt`;
    const v = await dandelion(sb, ['versions', 'p', doc]);
    expect(v.exitCode, v.stderr).toBe(0);
    const lines = v.stdout.trim().split('\n');
    expect(lines[0]).toBe(`${doc}: in 3 archives, 2 different versions`);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(-2))).toEqual([
      ['same', 't-3'],
      ['changed', 't-2'],
      ['oldest', 't-1'],
    ]);
    const vj = await dandelion(sb, ['versions', 'p', doc, '--json']);
    expect((JSON.parse(vj.stdout) as { versions: { archive: string; changed: boolean | null }[] }).versions.map((x) => x.changed)).toEqual([
      false,
      true,
      null,
    ]);
    const nowhere = await dandelion(sb, ['versions', 'p', 'no/such/file']);
    expect(nowhere.exitCode).toBe(1);
    expect(nowhere.stderr).toBe('No archive of "p" holds no/such/file.');
  }, 120_000);
});
