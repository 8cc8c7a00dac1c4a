/**
 * Incompressible files for backups that must last long enough to be seen, cancelled or killed.
 * Random data costs CPU to make (about a second per 240 MB here); a test file makes its set once
 * and each test copies what it needs, or backs up the set itself where it only reads it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const BLOB = 2 * 1024 * 1024;

/** Writes `count` files of 2 MiB of random bytes, blob-0.bin…, into `dir`. */
export async function makeBlobs(dir: string, count: number): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) await fs.writeFile(path.join(dir, `blob-${i}.bin`), crypto.randomBytes(BLOB));
}

/**
 * A set of blobs made on first use and kept until `dispose()`: `dir()` is the folder holding them
 * (to back up as it is: nothing may write there), `copyInto(to, n)` copies the first `n` into `to`.
 */
export class SharedBlobs {
  private made: Promise<string> | null = null;

  constructor(private readonly count: number) {}

  dir(): Promise<string> {
    this.made ??= (async () => {
      const root = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-blobs-'));
      const dir = path.join(root, 'blobs');
      await makeBlobs(dir, this.count);
      return dir;
    })();
    return this.made;
  }

  async copyInto(to: string, n: number): Promise<void> {
    if (n > this.count) throw new Error(`only ${this.count} shared blobs, ${n} asked for`);
    const from = await this.dir();
    await fs.mkdir(to, { recursive: true });
    for (let i = 0; i < n; i++) await fs.copyFile(path.join(from, `blob-${i}.bin`), path.join(to, `blob-${i}.bin`));
  }

  async dispose(): Promise<void> {
    const made = this.made;
    this.made = null;
    if (made) await fs.rm(path.dirname(await made), { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}
