import { execa, type ResultPromise } from 'execa';
import { CLI, type Sandbox } from './env.js';

/** The real `dandelion daemon` process, with its log lines collected for assertions. */
export class DaemonProcess {
  readonly lines: string[] = [];
  private waiters: { re: RegExp; from: number; resolve: (line: string) => void }[] = [];
  readonly child: ResultPromise;

  constructor(sb: Sandbox, extraEnv: Record<string, string> = {}) {
    this.child = execa(process.execPath, [CLI, 'daemon'], {
      reject: false,
      extendEnv: false,
      env: { ...sb.env, ...extraEnv },
      stdin: 'ignore',
      buffer: false,
      all: true,
      // stop() may take as long as launchd gives a job (ExitTimeOut, 20 s) before SIGKILL, not execa's 5 s:
      // a busy machine must not turn a slow but clean stop into a kill.
      forceKillAfterDelay: 20_000,
    });
    let partial = '';
    this.child.all!.on('data', (chunk: Buffer) => {
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        this.lines.push(line);
        if (process.env.DANDELION_TEST_VERBOSE) process.stderr.write(`daemon: ${line}\n`);
        this.waiters = this.waiters.filter((w) => {
          if (this.lines.length - 1 >= w.from && w.re.test(line)) {
            w.resolve(line);
            return false;
          }
          return true;
        });
      }
    });
  }

  get mark(): number {
    return this.lines.length;
  }

  /** The first line matching re at or after index `from` (default: any line so far). */
  waitFor(re: RegExp, opts: { from?: number; timeoutMs?: number } = {}): Promise<string> {
    const from = opts.from ?? 0;
    const hit = this.lines.slice(from).find((l) => re.test(l));
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`daemon never logged ${re}; log:\n${this.lines.join('\n')}`)),
        opts.timeoutMs ?? 30_000,
      );
      this.waiters.push({
        re,
        from,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  count(re: RegExp): number {
    return this.lines.filter((l) => re.test(l)).length;
  }

  /** SIGTERM, then the exit code; the signal's name when it had to be killed (a failing test then says why). */
  async stop(): Promise<number | string | undefined> {
    this.child.kill('SIGTERM');
    const r = await this.child;
    return r.exitCode ?? r.signal;
  }
}
