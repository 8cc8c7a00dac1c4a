import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScheduleFacts, type SlotWindow } from '../../src/schedule/facts.js';

// The store alone, with made-up windows (no cron-parser); test/unit/schedule-facts.test.ts holds
// what due.ts keeps in it to the replay and the scheduler.

describe('ScheduleFacts', () => {
  let dir: string;
  let file: string;
  /** Slots 0, 10, …, 100 ms: eleven, so with `after` = 2 moments 0 to 79 are answered. */
  const tens = (): SlotWindow => ({ slots: Array.from({ length: 11 }, (_, i) => i * 10), changes: [], periods: {} });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schedule-facts-class-'));
    file = path.join(dir, 'nested', 'cache', 'schedule-facts.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A new process reading `file`. */
  const reader = () => {
    const f = new ScheduleFacts();
    f.useFile(file);
    return f;
  };

  it('answers a moment with the index of the slot at or before it, while `after` more slots follow', () => {
    const facts = new ScheduleFacts();
    expect(facts.window('k', 5, 2)).toBeNull();
    const w = tens();
    facts.setWindow('k', w);
    const index = (t: number) => facts.window('k', t, 2)?.index ?? null;
    expect(Array.from({ length: 80 }, (_, t) => index(t))).toEqual(Array.from({ length: 80 }, (_, t) => Math.floor(t / 10)));
    expect([-1, 80, 81, 100, 200].map(index)).toEqual([null, null, null, null, null]);
    expect(facts.window('k', 5, 2)?.window).toBe(w);
    expect(facts.window('k', 95, 0)?.index).toBe(9);
    expect(facts.window('k', 100, 0)).toBeNull();
    expect(facts.window('k', 0, 9)?.index).toBe(0);
    expect(facts.window('k', 10, 9)).toBeNull();
    expect(facts.window('k', 0, 10)).toBeNull();
    expect(facts.window('k', 0, 11)).toBeNull();
    expect(facts.window('other', 5, 2)).toBeNull();
  });

  it('finds the slot in a long window too', () => {
    const facts = new ScheduleFacts();
    const slots = Array.from({ length: 1000 }, (_, i) => i * i);
    facts.setWindow('k', { slots, changes: [], periods: {} });
    for (const i of [0, 1, 2, 3, 499, 500, 501, 989, 990]) {
      expect(facts.window('k', i * i, 8)?.index, `${i * i}`).toBe(i);
      expect(facts.window('k', i * i + i, 8)?.index, `${i * i + i}`).toBe(i);
    }
    expect(facts.window('k', 991 * 991 - 1, 8)?.index).toBe(990);
    expect(facts.window('k', 991 * 991, 8)).toBeNull();
  });

  it('keeps the 64 windows and 256 checks used last', () => {
    const facts = new ScheduleFacts();
    for (let i = 0; i < 64; i++) facts.setWindow(`w${i}`, tens());
    expect(facts.window('w0', 5, 2)).not.toBeNull();
    facts.setWindow('w0', tens()); // set again: now the newest
    facts.setWindow('w64', tens());
    expect(['w0', 'w1', 'w2', 'w63', 'w64'].map((k) => facts.window(k, 5, 2) !== null)).toEqual([true, false, true, true, true]);

    for (let i = 0; i < 256; i++) facts.setCheck(`c${i}`, i % 2 ? null : `bad ${i}`);
    expect([facts.check('c0'), facts.check('c1'), facts.check('c255')]).toEqual(['bad 0', null, null]);
    facts.setCheck('c0', 'bad 0');
    facts.setCheck('c256', null);
    expect(['c0', 'c1', 'c2', 'c256'].map((k) => facts.check(k))).toEqual(['bad 0', undefined, 'bad 2', null]);
  });

  it('in memory only until a file is given, and a new file starts from what it holds alone', () => {
    const facts = new ScheduleFacts();
    facts.setWindow('k', tens());
    facts.setCheck('e', null);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
    facts.useFile(file);
    expect(facts.window('k', 5, 2)).toBeNull();
    expect(facts.check('e')).toBeUndefined();
    facts.setCheck('e', 'bad');
    facts.useFile(null);
    expect(facts.check('e')).toBeUndefined();
    facts.setWindow('k', tens());
    expect(reader().window('k', 5, 2)).toBeNull();
    expect(reader().check('e')).toBe('bad');
  });

  it('writes windows, checks and learnt periods for the next process, in a folder it creates, with no temporary file left', () => {
    const facts = new ScheduleFacts();
    facts.useFile(file);
    const w = tens();
    facts.setWindow('k', w);
    facts.setCheck('good', null);
    facts.setCheck('bad', 'not a valid cron expression');
    w.periods[20] = 10;
    expect(reader().window('k', 25, 2)?.window.periods).toEqual({});
    facts.changed();
    const next = reader();
    expect(next.window('k', 25, 2)).toEqual({ window: { slots: w.slots, changes: [], periods: { 20: 10 } }, index: 2 });
    expect([next.check('good'), next.check('bad'), next.check('unknown')]).toEqual([null, 'not a valid cron expression', undefined]);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['schedule-facts.json']);
  });

  it('stamps the file with its format, Node, the time zone data and cron-parser', () => {
    const facts = new ScheduleFacts();
    facts.useFile(file);
    facts.setCheck('e', null);
    const { stamp } = JSON.parse(fs.readFileSync(file, 'utf8')) as { stamp: string };
    const version = (JSON.parse(fs.readFileSync('node_modules/cron-parser/package.json', 'utf8')) as { version: string }).version;
    expect(stamp).toBe(`1 node ${process.version} tz ${process.versions.tz ?? '?'} cron-parser ${version}`);
  });

  it('keeps the 64 windows and 256 checks last in a file that holds more', () => {
    const facts = new ScheduleFacts();
    facts.useFile(file);
    facts.setCheck('e', null);
    const { stamp } = JSON.parse(fs.readFileSync(file, 'utf8')) as { stamp: string };
    const windows = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`w${i}`, tens()]));
    const checks = Object.fromEntries(Array.from({ length: 260 }, (_, i) => [`c${i}`, null]));
    fs.writeFileSync(file, JSON.stringify({ stamp, windows, checks }));
    const next = reader();
    expect(['w5', 'w6', 'w69'].map((k) => next.window(k, 5, 2) !== null)).toEqual([false, true, true]);
    expect(['c3', 'c4', 'c259'].map((k) => next.check(k))).toEqual([undefined, null, null]);
  });

  it('ignores a whole file that is not its own or holds anything malformed', () => {
    const facts = new ScheduleFacts();
    facts.useFile(file);
    facts.setCheck('e', 'bad');
    const { stamp } = JSON.parse(fs.readFileSync(file, 'utf8')) as { stamp: string };
    const good = tens();
    const variants: Record<string, unknown> = {
      'valid (the control)': { stamp, windows: { w: good }, checks: { e: 'bad' } },
      'not JSON': '{',
      'a number': 5,
      null: null,
      'another stamp': { stamp: `${stamp}x`, windows: { w: good }, checks: { e: 'bad' } },
      'no windows': { stamp, checks: { e: 'bad' } },
      'windows null': { stamp, windows: null, checks: { e: 'bad' } },
      'no checks': { stamp, windows: { w: good } },
      'checks null': { stamp, windows: { w: good }, checks: null },
      'a check that is a number': { stamp, windows: { w: good }, checks: { e: 'bad', n: 1 } },
      'a window null': { stamp, windows: { w: good, x: null }, checks: { e: 'bad' } },
      'a window a number': { stamp, windows: { w: good, x: 3 }, checks: { e: 'bad' } },
      'one slot': { stamp, windows: { w: good, x: { ...good, slots: [1] } }, checks: { e: 'bad' } },
      'no slots': { stamp, windows: { w: good, x: { ...good, slots: undefined } }, checks: { e: 'bad' } },
      'a slot not a number': { stamp, windows: { w: good, x: { ...good, slots: [1, '2', 3] } }, checks: { e: 'bad' } },
      'a slot repeated': { stamp, windows: { w: good, x: { ...good, slots: [1, 2, 2, 3] } }, checks: { e: 'bad' } },
      'slots descending at the end': { stamp, windows: { w: good, x: { ...good, slots: [1, 2, 3, 0] } }, checks: { e: 'bad' } },
      'an odd number of change samples': { stamp, windows: { w: good, x: { ...good, changes: [1, 2, 3] } }, checks: { e: 'bad' } },
      'changes not numbers': { stamp, windows: { w: good, x: { ...good, changes: ['1', 2] } }, checks: { e: 'bad' } },
      'no changes': { stamp, windows: { w: good, x: { ...good, changes: undefined } }, checks: { e: 'bad' } },
      'no periods': { stamp, windows: { w: good, x: { ...good, periods: undefined } }, checks: { e: 'bad' } },
      'periods null': { stamp, windows: { w: good, x: { ...good, periods: null } }, checks: { e: 'bad' } },
      'a period of 0': { stamp, windows: { w: good, x: { ...good, periods: { 10: 5, 20: 0 } } }, checks: { e: 'bad' } },
      'a period as text': { stamp, windows: { w: good, x: { ...good, periods: { 10: '5' } } }, checks: { e: 'bad' } },
    };
    const loaded: Record<string, boolean> = {};
    for (const [name, content] of Object.entries(variants)) {
      fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
      const next = reader();
      loaded[name] = next.window('w', 5, 2) !== null || next.check('e') !== undefined;
    }
    expect(loaded).toEqual(Object.fromEntries(Object.keys(variants).map((name) => [name, name === 'valid (the control)'])));
  });

  it('a window of two slots, with a period and a learnt change, loads', () => {
    const facts = new ScheduleFacts();
    facts.useFile(file);
    facts.setWindow('w', { slots: [1, 2], changes: [1, 2], periods: { 1: 5 } });
    expect(reader().window('w', 1, 0)).toEqual({ window: { slots: [1, 2], changes: [1, 2], periods: { 1: 5 } }, index: 0 });
  });

  it('a file that cannot be written leaves no temporary file and throws nothing', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.mkdirSync(file); // a folder where the file should be: the rename fails
    const facts = new ScheduleFacts();
    facts.useFile(file);
    expect(() => facts.setCheck('e', null)).not.toThrow();
    expect(fs.readdirSync(path.dirname(file))).toEqual(['schedule-facts.json']);
    expect(facts.check('e')).toBeNull();
  });
});
