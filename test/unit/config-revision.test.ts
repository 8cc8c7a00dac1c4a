/**
 * config.json revisions and compare-and-swap saves: a save drawn from a revision that is no longer
 * on disk writes nothing and answers with the file as it is now; two saves at once from the same
 * revision cannot both win.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ABSENT_REVISION, configLockFile, configRevision, loadConfig, loadSettledConfig, saveConfig } from '../../src/profiles/store.js';

const dirs: string[] = [];
async function configFile(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-rev-'));
  dirs.push(dir);
  return path.join(dir, 'config.json');
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

const profile = (name: string, sources = ['/data']) => ({ id: 'a', name, repository: '/repo', encryption: 'none', sources });
const config = (name: string, sources?: string[]) => ({ profiles: [profile(name, sources)] });

describe('configRevision', () => {
  it('is a fixed value for no file and changes with any byte', () => {
    expect(configRevision(null)).toBe(ABSENT_REVISION);
    const text = JSON.stringify(config('x'), null, 2);
    expect(configRevision(text)).toMatch(/^[0-9a-f]{16}$/);
    expect(configRevision(text)).toBe(configRevision(Buffer.from(text)));
    expect(configRevision(text + ' ')).not.toBe(configRevision(text));
    expect(configRevision(text.replace('"x"', '"y"'))).not.toBe(configRevision(text));
    expect(configRevision('')).not.toBe(ABSENT_REVISION);
    // A byte that is not UTF-8 still counts: the hash is of the bytes, not of their decoding.
    expect(configRevision(Buffer.from([0xff]))).not.toBe(configRevision(Buffer.from([0xfe])));
  });

  it('comes with every load, valid or not', async () => {
    const file = await configFile();
    expect(await loadConfig(file)).toMatchObject({ ok: true, exists: false, revision: ABSENT_REVISION });
    await fs.writeFile(file, JSON.stringify(config('x')));
    expect(await loadConfig(file)).toMatchObject({ ok: true, revision: configRevision(await fs.readFile(file)) });
    await fs.writeFile(file, '{ "profiles": [ ');
    expect(await loadConfig(file)).toMatchObject({ ok: false, revision: configRevision('{ "profiles": [ ') });
    await fs.writeFile(file, JSON.stringify({ profiles: [{ id: 'BAD' }] }));
    const invalid = await loadConfig(file);
    expect(invalid.ok).toBe(false);
    expect(invalid.revision).toBe(configRevision(await fs.readFile(file)));
  });
});

describe('saveConfig compare-and-swap', () => {
  it('writes against the revision it was drawn from and answers with the new one', async () => {
    const file = await configFile();
    const first = await saveConfig(file, config('one'), undefined, { expectedRevision: ABSENT_REVISION });
    expect(first).toMatchObject({ ok: true });
    const onDisk = await fs.readFile(file);
    expect(first.ok && first.revision).toBe(configRevision(onDisk));
    expect((await loadConfig(file)).revision).toBe(first.ok && first.revision);
    const second = await saveConfig(file, config('two'), undefined, { expectedRevision: configRevision(onDisk) });
    expect(second.ok).toBe(true);
    expect(await fs.readdir(path.dirname(file))).toEqual(['config.json']);
  });

  it('refuses a save drawn from an older revision: nothing written, the file as it is now in the answer', async () => {
    const file = await configFile();
    const drawn = await saveConfig(file, config('mine'), undefined, { expectedRevision: ABSENT_REVISION });
    if (!drawn.ok) throw new Error('first save failed');
    const theirs = config('theirs', ['/data', '/more']);
    const theirText = JSON.stringify(theirs, null, 4);
    await fs.writeFile(file, theirText);
    const r = await saveConfig(file, config('mine again'), undefined, { expectedRevision: drawn.revision });
    expect(r).toEqual({
      ok: false,
      conflict: { revision: configRevision(theirText), config: theirs },
      errors: [{ path: '(file)', message: expect.stringMatching(/^was changed by someone else since it was read/) }],
    });
    expect(await fs.readFile(file, 'utf8')).toBe(theirText);
    expect(await fs.readdir(path.dirname(file))).toEqual(['config.json']);
  });

  it('a change of one space is a change; a file removed or broken since is a conflict too', async () => {
    const file = await configFile();
    const r = await saveConfig(file, config('x'), undefined, { expectedRevision: ABSENT_REVISION });
    if (!r.ok) throw new Error('first save failed');
    await fs.appendFile(file, ' ');
    expect(await saveConfig(file, config('y'), undefined, { expectedRevision: r.revision })).toMatchObject({ ok: false, conflict: {} });
    await fs.writeFile(file, '{ not json');
    const broken = await saveConfig(file, config('y'), undefined, { expectedRevision: r.revision });
    expect(broken).toMatchObject({ ok: false, conflict: { revision: configRevision('{ not json'), config: null } });
    await fs.rm(file);
    const gone = await saveConfig(file, config('y'), undefined, { expectedRevision: r.revision });
    expect(gone).toMatchObject({ ok: false, conflict: { revision: ABSENT_REVISION, config: null } });
    await expect(fs.stat(file)).rejects.toThrow();
    // A file that exists where none was expected is not overwritten either.
    await fs.writeFile(file, JSON.stringify(config('created meanwhile')));
    expect(await saveConfig(file, config('y'), undefined, { expectedRevision: ABSENT_REVISION })).toMatchObject({ ok: false });
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual(config('created meanwhile'));
  });

  it('of many saves at once from the same revision exactly one wins, and the file is the winner’s', async () => {
    const file = await configFile();
    const start = await saveConfig(file, config('start'), undefined, { expectedRevision: ABSENT_REVISION });
    if (!start.ok) throw new Error('first save failed');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => saveConfig(file, config(`writer ${i}`), undefined, { expectedRevision: start.revision })),
    );
    const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) if (!r.ok) expect(r.conflict?.revision).toBe(configRevision(await fs.readFile(file)));
    expect(JSON.parse(await fs.readFile(file, 'utf8')).profiles[0].name).toBe(`writer ${winners[0]}`);
    expect(await fs.readdir(path.dirname(file))).toEqual(['config.json']);
  });

  it('waits for the save lock another process holds, and takes over a stale one', async () => {
    const file = await configFile();
    const lock = configLockFile(file);
    // A live owner (this test's parent process stands in for another Dandelion) holds it: no write.
    await fs.writeFile(lock, JSON.stringify({ pid: process.ppid, what: 'saving config.json', since: new Date().toISOString() }));
    const held = await saveConfig(file, config('x'), undefined, { expectedRevision: ABSENT_REVISION, lockTimeoutMs: 150 });
    expect(held).toEqual({ ok: false, errors: [{ path: '(file)', message: expect.stringMatching(/being saved by another process/) }] });
    await expect(fs.stat(file)).rejects.toThrow();
    // Its owner is gone (no such pid): the lock is stale and the save goes through.
    await fs.writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 17, what: 'saving config.json', since: new Date().toISOString() }));
    expect(await saveConfig(file, config('x'), undefined, { expectedRevision: ABSENT_REVISION })).toMatchObject({ ok: true });
    await expect(fs.stat(lock)).rejects.toThrow();
  });

  it('keeps the replaced text as .bak when asked, only after the revision check', async () => {
    const file = await configFile();
    await fs.writeFile(file, '{ "broken": ');
    const stale = await saveConfig(file, config('x'), undefined, { expectedRevision: 'feedfeedfeedfeed', backup: true });
    expect(stale.ok).toBe(false);
    await expect(fs.stat(`${file}.bak`)).rejects.toThrow();
    const r = await saveConfig(file, config('x'), undefined, { expectedRevision: configRevision('{ "broken": '), backup: true });
    expect(r.ok).toBe(true);
    expect(await fs.readFile(`${file}.bak`, 'utf8')).toBe('{ "broken": ');
  });
});

describe('a config.json read while someone writes it', () => {
  it('is not called broken when it was only empty for a moment (an editor saving in place)', async () => {
    const file = await configFile();
    await fs.writeFile(file, '');
    const text = JSON.stringify(config('whole'), null, 2);
    setTimeout(() => void fs.writeFile(file, text), 30);
    const r = await loadSettledConfig(file, { settleMs: 60 });
    expect(r).toMatchObject({ ok: true, revision: configRevision(text) });
    // The plain read at the same moment would have reported it broken.
    await fs.writeFile(file, '');
    expect((await loadConfig(file)).ok).toBe(false);
  });

  it('is broken when two reads agree, and says where', async () => {
    const file = await configFile();
    await fs.writeFile(file, '{"profiles": [],}');
    const r = await loadSettledConfig(file, { settleMs: 5 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.message).toMatch(/line 1, column/);
  });

  it('keeps reading while it keeps changing, and stops after the tries it was given', async () => {
    const file = await configFile();
    let n = 0;
    await fs.writeFile(file, `{"broken": ${n}`);
    const timer = setInterval(() => void fs.writeFile(file, `{"broken": ${++n}`), 2);
    try {
      const r = await loadSettledConfig(file, { settleMs: 10, tries: 3 });
      expect(r.ok).toBe(false);
      expect(n).toBeGreaterThan(2);
    } finally {
      clearInterval(timer);
    }
  });
});
