/**
 * At most one call per interval, the last state always delivered: the first poke fires at once,
 * pokes within the interval fold into one trailing call. A face redraws 4 times a second, not once
 * per file borg lists.
 */
export class Throttle {
  private last = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly fire: () => void,
  ) {}

  poke(): void {
    if (this.timer) return;
    const wait = this.last + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.run();
      return;
    }
    this.timer = setTimeout(() => this.run(), wait);
    this.timer.unref?.();
  }

  /** Delivers a pending call now (e.g. before a run's end is announced). */
  flush(): void {
    if (this.timer) this.run();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private run(): void {
    this.cancel();
    this.last = Date.now();
    this.fire();
  }
}
