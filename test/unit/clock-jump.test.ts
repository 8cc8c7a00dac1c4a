import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchClockJumps } from '../../src/triggers/clock-jump.js';

describe('watchClockJumps', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stays quiet while the clock advances with the timer', () => {
    const onJump = vi.fn();
    const stop = watchClockJumps(onJump, { intervalMs: 1000 });
    vi.advanceTimersByTime(10_000);
    expect(onJump).not.toHaveBeenCalled();
    stop();
  });

  it('reports a suspend (wall clock jumps ahead of the timers) with the unexplained gap', () => {
    let clock = 1_000_000;
    const onJump = vi.fn();
    const stop = watchClockJumps(onJump, { intervalMs: 30_000, now: () => clock });
    clock += 30_000;
    vi.advanceTimersByTime(30_000);
    expect(onJump).not.toHaveBeenCalled();
    // Suspended for an hour: the next tick sees 1h + 30s of wall time.
    clock += 3_600_000 + 30_000;
    vi.advanceTimersByTime(30_000);
    expect(onJump).toHaveBeenCalledExactlyOnceWith(3_600_000);
    // And only once: the following tick is normal again.
    clock += 30_000;
    vi.advanceTimersByTime(30_000);
    expect(onJump).toHaveBeenCalledOnce();
    stop();
  });

  it('works with the real Date.now under fake timers (vi.setSystemTime as a jump)', () => {
    const onJump = vi.fn();
    const stop = watchClockJumps(onJump, { intervalMs: 1000 });
    vi.setSystemTime(Date.now() + 5 * 60_000);
    vi.advanceTimersByTime(1000);
    expect(onJump).toHaveBeenCalledExactlyOnceWith(5 * 60_000);
    stop();
  });

  it('reports the clock being set back as a negative gap', () => {
    let clock = 10_000_000;
    const onJump = vi.fn();
    const stop = watchClockJumps(onJump, { intervalMs: 1000, now: () => clock });
    clock -= 60_000;
    vi.advanceTimersByTime(1000);
    expect(onJump).toHaveBeenCalledExactlyOnceWith(-61_000);
    stop();
  });

  it('tolerates a late tick below the threshold (default 2x interval)', () => {
    let clock = 0;
    const onJump = vi.fn();
    const stop = watchClockJumps(onJump, { intervalMs: 1000, now: () => clock });
    clock += 1900; // a busy event loop, not a jump
    vi.advanceTimersByTime(1000);
    expect(onJump).not.toHaveBeenCalled();
    clock += 2500;
    vi.advanceTimersByTime(1000);
    expect(onJump).toHaveBeenCalledExactlyOnceWith(1500);
    stop();
  });

  it('honours a custom threshold', () => {
    let clock = 0;
    const onJump = vi.fn();
    const stop = watchClockJumps(onJump, { intervalMs: 1000, thresholdMs: 10_000, now: () => clock });
    clock += 5000;
    vi.advanceTimersByTime(1000);
    expect(onJump).not.toHaveBeenCalled();
    stop();
  });

  it('stop() cancels the timer, and the timer does not keep the process alive', () => {
    const onJump = vi.fn();
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    const stop = watchClockJumps(onJump, { intervalMs: 1000 });
    const timer = setIntervalSpy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.setSystemTime(Date.now() + 60 * 60_000);
    vi.advanceTimersByTime(5000);
    expect(onJump).not.toHaveBeenCalled();
    setIntervalSpy.mockRestore();
  });
});
