/**
 * The per-window outbox in detail: what is coalesced, what is kept in order, its bounds, its pace
 * and its ready/closed states. Timers are fake, so every expectation is exact.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vi } from 'vitest';
import { Outbox, OUTBOX_INTERVAL_MS, OUTBOX_LOG_LINES } from '../../src/ipc/outbox.js';
import type { AppSnapshot, EventMessage } from '../../src/ipc/contract.js';
import type { LiveProgress } from '../../src/engine.js';

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

const snap = (takenAt: string) => ({ event: 'snapshot', payload: { takenAt } as AppSnapshot }) as EventMessage;
const prog = (profile: string, nfiles: number): EventMessage => ({
  event: 'progress',
  payload: { profile, progress: { nfiles } as LiveProgress },
});
const log = (profile: string, lines: string[], dropped = 0): EventMessage => ({ event: 'log', payload: { profile, lines, dropped } });
const nav = (section: string): EventMessage => ({ event: 'navigate', payload: { section } });
const done = (profile: string): EventMessage => ({ event: 'run-finished', payload: { profile } as never });

function box(opts: { intervalMs?: number; maxLogLines?: number } = {}) {
  const sent: EventMessage[][] = [];
  const outbox = new Outbox({ send: (b) => sent.push(b), ...opts });
  return { outbox, sent };
}

describe('the outbox', () => {
  it('sends the first batch at once, then no sooner than one interval after the last', () => {
    const { outbox, sent } = box();
    outbox.markReady();
    expect(outbox.isReady).toBe(true);
    outbox.push(snap('a'));
    vi.advanceTimersByTime(0);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(10);
    outbox.push(snap('b'));
    vi.advanceTimersByTime(OUTBOX_INTERVAL_MS - 11);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent).toHaveLength(2);
    expect(outbox.sent).toBe(2);
    expect(OUTBOX_INTERVAL_MS).toBeGreaterThan(100);
  });

  it('honours its own interval', () => {
    const { outbox, sent } = box({ intervalMs: 1000 });
    outbox.markReady();
    outbox.push(snap('a'));
    vi.advanceTimersByTime(0);
    outbox.push(snap('b'));
    vi.advanceTimersByTime(999);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent).toHaveLength(2);
  });

  it('sends nothing when there is nothing, ready or not', () => {
    const { outbox, sent } = box();
    expect(outbox.isReady).toBe(false);
    outbox.markReady();
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([]);
    expect(outbox.sent).toBe(0);
  });

  it('keeps only the newest snapshot and the newest progress of each profile', () => {
    const { outbox, sent } = box();
    outbox.push(snap('old'));
    outbox.push(prog('p', 1));
    outbox.push(prog('q', 5));
    outbox.push(prog('p', 2));
    outbox.push(snap('new'));
    outbox.markReady();
    vi.advanceTimersByTime(0);
    expect(sent[0]).toEqual([prog('p', 2), prog('q', 5), snap('new')]);
  });

  it('orders a batch: navigation, log lines, finished runs, progress, snapshot', () => {
    const { outbox, sent } = box();
    outbox.push(snap('s'));
    outbox.push(prog('q', 1));
    outbox.push(done('p'));
    outbox.push(log('p', ['l']));
    outbox.push(nav('passphrase'));
    outbox.markReady();
    vi.advanceTimersByTime(0);
    expect(sent[0]!.map((m) => m.event)).toEqual(['navigate', 'log', 'run-finished', 'progress', 'snapshot']);
  });

  it('joins log lines per profile, keeps the last ones and counts every line left out', () => {
    const { outbox, sent } = box({ maxLogLines: 3 });
    outbox.push(log('p', ['1', '2'], 4));
    outbox.push(log('q', ['x']));
    outbox.push(log('p', ['3', '4', '5']));
    outbox.markReady();
    vi.advanceTimersByTime(0);
    expect(sent[0]).toEqual([log('p', ['3', '4', '5'], 6), log('q', ['x'])]);
  });

  it('drops nothing while the lines fit exactly', () => {
    const { outbox, sent } = box();
    const lines = Array.from({ length: OUTBOX_LOG_LINES }, (_, i) => String(i));
    outbox.push(log('p', lines));
    outbox.markReady();
    vi.advanceTimersByTime(0);
    expect(sent[0]).toEqual([log('p', lines, 0)]);
    expect(OUTBOX_LOG_LINES).toBe(200);
  });

  it('keeps the last 50 records and navigation requests while the window is not ready', () => {
    const { outbox, sent } = box();
    for (let i = 0; i < 60; i++) outbox.push(nav(String(i)));
    outbox.markReady();
    vi.advanceTimersByTime(0);
    expect(sent[0]!.map((m) => (m.payload as { section: string }).section)).toEqual(Array.from({ length: 50 }, (_, i) => String(i + 10)));
  });

  it('sends progress alone', () => {
    const { outbox, sent } = box();
    outbox.markReady();
    outbox.push(prog('p', 3));
    vi.advanceTimersByTime(0);
    expect(sent).toEqual([[prog('p', 3)]]);
  });

  it('keeps all of a few records in order', () => {
    const { outbox, sent } = box();
    outbox.push(done('a'));
    outbox.push(done('b'));
    outbox.markReady();
    vi.advanceTimersByTime(0);
    expect(sent[0]).toEqual([done('a'), done('b')]);
  });

  it('a finished run drops its own stale progress, not another profile’s', () => {
    const { outbox, sent } = box();
    outbox.push(prog('p', 1));
    outbox.push(prog('q', 1));
    outbox.push(done('p'));
    outbox.markReady();
    vi.advanceTimersByTime(0);
    expect(sent[0]).toEqual([done('p'), prog('q', 1)]);
  });

  it('once closed, takes nothing, sends nothing, and a pending batch never goes', () => {
    const { outbox, sent } = box();
    outbox.markReady();
    outbox.push(snap('a'));
    vi.advanceTimersByTime(0);
    outbox.push(snap('b'));
    outbox.close();
    vi.advanceTimersByTime(1000);
    outbox.push(snap('c'));
    outbox.markReady();
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(1);
    const late = box();
    late.outbox.push(snap('x'));
    late.outbox.close();
    late.outbox.markReady();
    vi.advanceTimersByTime(1000);
    expect(late.sent).toEqual([]);
    expect(late.outbox.isReady).toBe(false);
  });

  it('one batch per interval even when events keep coming, each with what arrived since the last', () => {
    const { outbox, sent } = box();
    outbox.markReady();
    for (let i = 0; i < 10; i++) {
      outbox.push(log('p', [String(i)]));
      vi.advanceTimersByTime(30);
    }
    vi.advanceTimersByTime(OUTBOX_INTERVAL_MS);
    expect(sent.flat().flatMap((m) => (m.payload as { lines: string[] }).lines)).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    expect(sent.length).toBe(4);
  });
});
