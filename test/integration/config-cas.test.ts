/**
 * Settings are never lost: config.json written by two writers at once, the preferences window
 * (drafts, a save against the revision it was drawn from, the user's choice when the file changed
 * under unsaved edits) and a person editing the file by hand. Against the real Engine and store,
 * with the window's own decision function (renderer/preferences/conflict.ts).
 *
 * The property: whatever the interleaving, every edit either is in the file at the end, or still in
 * the window's unsaved drafts, or was replaced by a later edit of the same writer, or was shown to
 * the user before they chose what replaced it. A seeded generator makes the interleavings (a failure
 * names its seed and the steps).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { readConfigView } from '../../src/ipc/handlers.js';
import { configRevision } from '../../src/profiles/store.js';
import { diffConfigs, followFile } from '../../renderer/preferences/conflict.js';
import { ROOT } from '../helpers/env.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

/** mulberry32: a small seeded generator, so a failing sequence can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
}

type Json = { profiles: Record<string, unknown>[] } & Record<string, unknown>;
const PROFILES = ['a', 'b'] as const;
const FIELDS = ['name', 'sources'] as const;
type Field = `${(typeof PROFILES)[number]}.${(typeof FIELDS)[number]}`;
const ALL_FIELDS: Field[] = PROFILES.flatMap((p) => FIELDS.map((f) => `${p}.${f}` as Field));

interface Edit {
  n: number;
  by: 'hand' | 'window';
  field: Field;
  value: unknown;
  /** Shown to the user (the window drew it, or the conflict sheet listed it) before anything replaced it. */
  seen: boolean;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function get(config: unknown, field: Field): unknown {
  const [id, key] = field.split('.') as [string, string];
  const p = (config as Json | null)?.profiles?.find((x) => x.id === id);
  return p?.[key];
}
function set(config: Json, field: Field, value: unknown): void {
  const [id, key] = field.split('.') as [string, string];
  const p = config.profiles.find((x) => x.id === id)!;
  p[key] = value;
}
const valueFor = (field: Field, n: number) => (field.endsWith('.name') ? `name ${n}` : [`/data/s${n}`]);

const initial = (): Json => ({
  profiles: PROFILES.map((id) => ({ id, name: `start ${id}`, repository: `/repo/${id}`, encryption: 'none', sources: [`/data/${id}`] })),
});

/** How often each thing happened over all runs: the property is only as good as what it went through. */
const seen = { saves: 0, refused: 0, keep: 0, use: 0, later: 0, take: 0, adopt: 0 };

interface Options {
  /** The window as it was before compare-and-swap: unconditional saves, following the file only on id changes. */
  legacy?: boolean;
}

/** One random interleaving; returns the problems found (empty: no edit lost). */
async function run(seed: number, steps: number, opts: Options = {}): Promise<string[]> {
  const r = rng(seed);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-cas-'));
  dirs.push(dir);
  const file = path.join(dir, 'config.json');
  await fs.writeFile(file, JSON.stringify(initial(), null, 2));
  const { engine } = await Engine.open({ configDir: dir, secrets: new MemorySecretStore() });
  const log: string[] = [];
  const problems: string[] = [];
  const edits: Edit[] = [];
  let n = 0;

  // The window: what it was drawn from (base, revision), its drafts (mine), an unanswered conflict.
  const first = await readConfigView(engine);
  const win = { base: clone(first.config) as Json, revision: first.revision, mine: clone(first.config) as Json };
  let conflict: { revision: string; config: unknown } | null = null;
  const dirty = () => !same(win.base, win.mine);

  const fileNow = async () => JSON.parse(await fs.readFile(file, 'utf8')) as Json;
  /** The latest edit of a writer that is in effect for a field of a config. */
  const effective = (config: unknown, by: Edit['by'], field: Field) =>
    [...edits].reverse().find((e) => e.by === by && e.field === field && same(e.value, get(config, field)));
  const markSeen = (config: unknown, by: Edit['by'], fields: readonly Field[]) => {
    for (const f of fields) {
      const e = effective(config, by, f);
      if (e) e.seen = true;
    }
  };

  const take = async () => {
    const v = await readConfigView(engine);
    markSeen(v.config, 'hand', ALL_FIELDS);
    win.base = clone(v.config) as Json;
    win.mine = clone(v.config) as Json;
    win.revision = v.revision;
    conflict = null;
  };

  /** A window save against `against`; a refusal opens the conflict. Checks what the save replaced. */
  const save = async (against: string, depth = 0): Promise<void> => {
    const before = await fs.readFile(file);
    const res = await engine.saveConfig(clone(win.mine), opts.legacy ? { expectedRevision: null } : { expectedRevision: against });
    if (res.ok) {
      seen.saves++;
      if (!opts.legacy && configRevision(before) !== against) problems.push(`a save against ${against} replaced ${configRevision(before)}`);
      win.base = clone(win.mine);
      win.revision = res.revision;
      conflict = null;
    } else if (res.conflict) {
      seen.refused++;
      if (!(await fs.readFile(file)).equals(before)) problems.push('a refused save changed the file');
      conflict = res.conflict;
      await ask(depth + 1);
    } else problems.push(`save failed: ${res.errors.map((e) => e.message).join('; ')}`);
  };

  /** The conflict sheet: shows the rows, the user picks one of the three answers. */
  const ask = async (depth = 0): Promise<void> => {
    if (!conflict || depth > 3) return;
    const rows = diffConfigs(win.base, conflict.config, win.mine);
    const shown = rows.filter((x) => x.profile && ALL_FIELDS.includes(`${x.profile}.${x.field}` as Field));
    markSeen(
      conflict.config,
      'hand',
      shown.filter((x) => x.changedByThem).map((x) => `${x.profile}.${x.field}` as Field),
    );
    markSeen(
      win.mine,
      'window',
      shown.filter((x) => x.changedByMe).map((x) => `${x.profile}.${x.field}` as Field),
    );
    const choice = r.pick(['keep', 'use', 'later'] as const);
    log.push(`  choice ${choice}`);
    seen[choice]++;
    if (choice === 'keep') {
      const against = conflict.revision;
      win.revision = against;
      conflict = null;
      await save(against, depth);
    } else if (choice === 'use') await take();
  };

  for (let step = 0; step < steps; step++) {
    const op = r.pick(['hand', 'hand', 'reformat', 'reload', 'reload', 'edit', 'edit', 'notice', 'notice', 'save'] as const);
    log.push(op);
    if (op === 'hand') {
      const json = await fileNow();
      const field = r.pick(ALL_FIELDS);
      const e: Edit = { n: ++n, by: 'hand', field, value: valueFor(field, n), seen: false };
      set(json, field, e.value);
      edits.push(e);
      log[log.length - 1] += ` ${field}=${JSON.stringify(e.value)}`;
      await fs.writeFile(file, JSON.stringify(json, null, r.pick([2, 4])));
    } else if (op === 'reformat') {
      await fs.writeFile(file, JSON.stringify(await fileNow(), null, r.pick([0, 3])));
    } else if (op === 'reload') {
      await engine.reload();
    } else if (op === 'edit') {
      const field = r.pick(ALL_FIELDS);
      const e: Edit = { n: ++n, by: 'window', field, value: valueFor(field, n), seen: false };
      set(win.mine, field, e.value);
      edits.push(e);
      log[log.length - 1] += ` ${field}=${JSON.stringify(e.value)}`;
    } else if (op === 'notice') {
      // The snapshot says which revision the engine read; the window compares it with its own.
      const snap = (await engine.snapshot()).configRevision;
      if (opts.legacy || snap === win.revision || (conflict && conflict.revision === snap && dirty())) continue;
      const v = await readConfigView(engine);
      const decision = followFile({
        viewRevision: win.revision,
        fileRevision: v.revision,
        dirty: dirty(),
        base: win.base,
        theirs: v.config,
      });
      log[log.length - 1] += ` → ${decision}`;
      if (decision === 'take-file') {
        seen.take++;
        await take();
      } else if (decision === 'adopt-revision') {
        seen.adopt++;
        win.base = clone(v.config) as Json;
        win.revision = v.revision;
        conflict = null;
      } else if (decision === 'ask') {
        conflict = { revision: v.revision, config: v.config };
        await ask();
      }
    } else if (op === 'save') {
      if (!dirty()) continue;
      // An unanswered conflict: Save leads to the question, never to a write.
      if (conflict) await ask();
      else await save(win.revision);
    }
  }

  const final = await fileNow();
  for (const e of edits) {
    const later = edits.some((x) => x.n > e.n && x.by === e.by && x.field === e.field);
    const kept = same(get(final, e.field), e.value) || (e.by === 'window' && same(get(win.mine, e.field), e.value));
    // A window edit saved and then changed by hand: the hand edit is the later word on it.
    const handLater = e.by === 'window' && edits.some((x) => x.n > e.n && x.by === 'hand' && x.field === e.field);
    if (!kept && !later && !e.seen && !handLater) problems.push(`${e.by} edit #${e.n} ${e.field}=${JSON.stringify(e.value)} was lost`);
  }
  return problems.length ? [`seed ${seed}:`, ...problems, 'steps:', ...log] : [];
}

describe('config.json with two writers', () => {
  it('never loses an edit the user did not choose to drop, whatever the interleaving', async () => {
    for (let seed = 1; seed <= 60; seed++) expect(await run(seed, 40)).toEqual([]);
    // Every path was taken many times: saves that went through and were refused, each answer, following and adopting.
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(5);
  }, 120_000);

  it('the same property catches the window as it was before compare-and-swap', async () => {
    let caught = 0;
    for (let seed = 1; seed <= 30; seed++) if ((await run(seed, 40, { legacy: true })).length) caught++;
    expect(caught).toBeGreaterThan(0);
  }, 120_000);

  it('a writer drawn from a revision that is no longer on disk is refused by the engine, and the snapshot says which one is', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-cas-'));
    dirs.push(dir);
    const file = path.join(dir, 'config.json');
    await fs.writeFile(file, JSON.stringify(initial(), null, 2));
    const { engine } = await Engine.open({ configDir: dir, secrets: new MemorySecretStore() });
    const drawn = engine.configRevision();
    expect(drawn).toBe(configRevision(await fs.readFile(file)));
    const theirs = initial();
    theirs.profiles[0]!.name = 'by hand';
    await fs.writeFile(file, JSON.stringify(theirs));
    const mine = initial();
    mine.profiles[1]!.name = 'stale writer';
    const r = await engine.saveConfig(mine, { expectedRevision: drawn });
    expect(r).toMatchObject({ ok: false, conflict: { revision: configRevision(JSON.stringify(theirs)), config: theirs } });
    expect(await fs.readFile(file, 'utf8')).toBe(JSON.stringify(theirs));
    // The refusal also brings the engine up to date with the file, so every window hears of it.
    await expect.poll(() => engine.configRevision()).toBe(configRevision(JSON.stringify(theirs)));
    expect(engine.config.profiles[0]!.name).toBe('by hand');
    expect((await engine.snapshot()).configRevision).toBe(configRevision(JSON.stringify(theirs)));

    // Without a revision the engine saves against the one it read last: a file changed since is kept.
    await fs.writeFile(file, JSON.stringify(initial()));
    expect(await engine.saveConfig(mine)).toMatchObject({ ok: false, conflict: { config: initial() } });
    expect(await fs.readFile(file, 'utf8')).toBe(JSON.stringify(initial()));
    await expect.poll(() => engine.configRevision()).toBe(configRevision(JSON.stringify(initial())));
    expect(await engine.saveConfig(mine)).toMatchObject({ ok: true });
  });

  it('of several processes saving at once from the same revision exactly one wins (the built store, `npm run build`)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-cas-'));
    dirs.push(dir);
    const file = path.join(dir, 'config.json');
    await fs.writeFile(file, JSON.stringify(initial(), null, 2));
    const drawn = configRevision(await fs.readFile(file));
    const store = pathToFileURL(path.join(ROOT, 'dist', 'profiles', 'store.js')).href;
    // Each process waits for the same moment, then saves its own name against the same revision.
    const at = Date.now() + 1500;
    const script = `
      const { saveConfig } = await import(${JSON.stringify(store)});
      const [file, expected, name, at] = process.argv.slice(1);
      const config = JSON.parse(${JSON.stringify(JSON.stringify(initial()))});
      config.profiles[0].name = name;
      await new Promise((r) => setTimeout(r, Math.max(0, Number(at) - Date.now())));
      const r = await saveConfig(file, config, undefined, { expectedRevision: expected });
      process.stdout.write(JSON.stringify({ ok: r.ok, conflict: !r.ok && !!r.conflict }));`;
    const results = await Promise.all(
      Array.from(
        { length: 6 },
        (_, i) =>
          new Promise<{ ok: boolean; conflict: boolean }>((resolve, reject) =>
            execFile(process.execPath, ['--input-type=module', '-e', script, file, drawn, `process ${i}`, String(at)], (err, stdout) =>
              err ? reject(err) : resolve(JSON.parse(stdout) as { ok: boolean; conflict: boolean }),
            ),
          ),
      ),
    );
    const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => r.conflict)).toBe(true);
    expect(JSON.parse(await fs.readFile(file, 'utf8')).profiles[0].name).toBe(`process ${winners[0]}`);
    expect((await fs.readdir(dir)).sort()).toEqual(['config.json']);
  }, 30_000);
  it('a file caught empty while it is written in place is not held against the next save, and reloads never go back in time', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-cas-'));
    dirs.push(dir);
    const file = path.join(dir, 'config.json');
    await fs.writeFile(file, JSON.stringify(initial(), null, 2));
    const { engine } = await Engine.open({ configDir: dir, secrets: new MemorySecretStore() });
    // An editor saving in place: the file is empty for a moment, then whole. A reload in between waits it out.
    const theirs = initial();
    theirs.profiles[0]!.name = 'by hand';
    await fs.writeFile(file, '');
    const reading = engine.reload();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await fs.writeFile(file, JSON.stringify(theirs));
    expect(await reading).toMatchObject({ ok: true });
    expect((await engine.snapshot()).configErrors).toEqual([]);
    expect(engine.config.profiles[0]!.name).toBe('by hand');

    // Errors read from a file that is whole again by the time of the save do not stop the save.
    await fs.writeFile(file, '{"profiles": [');
    expect((await engine.reload()).ok).toBe(false);
    await fs.writeFile(file, JSON.stringify(theirs));
    const mine = clone(theirs);
    mine.profiles[1]!.name = 'saved';
    expect(await engine.saveConfig(mine, { expectedRevision: configRevision(JSON.stringify(theirs)) })).toMatchObject({ ok: true });
    expect(JSON.parse(await fs.readFile(file, 'utf8')).profiles[1].name).toBe('saved');

    // A reload started before a save ends after it: the engine holds what the save wrote.
    const next = clone(mine);
    next.profiles[0]!.name = 'second save';
    const [, saved] = await Promise.all([engine.reload(), engine.saveConfig(next)]);
    expect(saved).toMatchObject({ ok: true });
    expect(engine.configRevision()).toBe(configRevision(await fs.readFile(file)));
    expect(engine.config.profiles[0]!.name).toBe('second save');
  });
});
