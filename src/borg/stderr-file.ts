import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * How often the file is looked at while borg runs. Progress reaches the UI at most 4 times a second and
 * the log's listeners every 250 ms, so a tenth of a second is not seen; a wake-up per line would be.
 */
export const TAIL_MS = 100;
/** At most this much is read at once: it bounds memory when the log is behind and the file grew. */
const READ_BYTES = 256 * 1024;
/**
 * With less free space than this where the file would go, borg gets a pipe instead: a line borg cannot write
 * into a full disk is lost, and with it the reason it failed (a pipe hands it over whatever the disk holds).
 * A listing of a million files is about 150 MB of stderr.
 */
export const MIN_FREE_BYTES = 256 * 1024 * 1024;

/**
 * borg's stderr as a file instead of a pipe: borg writes (and flushes) one line at a time, and into a pipe
 * each of those writes wakes a reader and can block borg when the reader is behind; into a file it does
 * neither. The file is opened here, new and readable only by the user (O_EXCL: never a file or link that
 * was there), and given to borg as fd 2; `close()` removes it, as everything in it reached the run log.
 */
export class StderrFile {
  private constructor(
    readonly file: string,
    /** What borg gets as its stderr; closed in this process once borg has it. */
    private writeFd: number | null,
    private readonly reader: fsp.FileHandle,
  ) {}

  /** Null when the file cannot be made (a folder that cannot be written, a disk nearly full): borg's stderr is then a pipe. */
  static async create(file: string, minFree = MIN_FREE_BYTES): Promise<StderrFile | null> {
    let writeFd: number | null = null;
    try {
      const { bavail, bsize } = await fsp.statfs(path.dirname(file));
      if (bavail * bsize < minFree) return null;
      // A file left by a run that was killed: its lines are in that run's log already.
      await fsp.rm(file, { force: true });
      const { O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW } = fs.constants;
      writeFd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW, 0o600);
      const reader = await fsp.open(file, 'r');
      return new StderrFile(file, writeFd, reader);
    } catch {
      if (writeFd !== null) fs.closeSync(writeFd);
      await fsp.rm(file, { force: true }).catch(() => {});
      return null;
    }
  }

  get fd(): number {
    if (this.writeFd === null) throw new Error('the stderr file was handed over already');
    return this.writeFd;
  }

  /** After the spawn: borg holds its own copy, and ours must not keep the file open for writing. */
  handedOver(): void {
    if (this.writeFd !== null) fs.closeSync(this.writeFd);
    this.writeFd = null;
  }

  /**
   * Reads what borg writes, behind it: every TAIL_MS while it runs, at once again while a read fills its
   * buffer, and to the end once `end()` says borg is gone. `onData` may return a promise: nothing more is
   * read until it resolves (the run log catching up), while borg writes on into the file.
   */
  tail(onData: (chunk: Buffer) => Promise<void> | null): StderrTail {
    return new StderrTail(this.reader, onData);
  }

  async close(): Promise<void> {
    this.handedOver();
    await this.reader.close().catch(() => {});
    await fsp.rm(this.file, { force: true }).catch(() => {});
  }
}

export class StderrTail {
  private pos = 0;
  private ending = false;
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Resolves once everything borg wrote was read (after `end()`), or reading failed. */
  readonly done: Promise<void>;

  constructor(
    private readonly reader: fsp.FileHandle,
    private readonly onData: (chunk: Buffer) => Promise<void> | null,
  ) {
    this.done = this.loop();
  }

  /** borg has exited: read what is left without waiting for the next tick, then stop. */
  end(): void {
    this.ending = true;
    this.wakeUp();
  }

  private wakeUp(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async loop(): Promise<void> {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    for (;;) {
      const ending = this.ending;
      let n: number;
      try {
        ({ bytesRead: n } = await this.reader.read(buf, 0, READ_BYTES, this.pos));
      } catch {
        return;
      }
      if (n > 0) {
        this.pos += n;
        // onData decodes the bytes before it returns, so the buffer can be read into again.
        const hold = this.onData(buf.subarray(0, n));
        if (hold) await hold;
        if (n === READ_BYTES) continue;
      }
      // At the end of the file after borg was gone: all of it was read.
      if (ending) {
        if (n === 0) return;
        continue;
      }
      if (this.ending) continue;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(() => this.wakeUp(), TAIL_MS);
      });
    }
  }
}
