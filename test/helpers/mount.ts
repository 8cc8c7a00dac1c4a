import fs from 'node:fs/promises';
import { execa } from 'execa';

export const NOT_ROOT = 'needs root to loop-mount an ext4 image (run the suite as root, as CI does)';

/** A real disk: an ext4 image, loop-mounted onto a folder, as a USB disk would be. */
export class DiskImage {
  private mountedAt: string | null = null;

  private constructor(readonly image: string) {}

  static async create(image: string, sizeMb: number): Promise<DiskImage> {
    await execa('truncate', ['-s', `${sizeMb}M`, image]);
    await execa('mkfs.ext4', ['-q', '-F', '-L', 'backup-disk', image]);
    return new DiskImage(image);
  }

  async mount(at: string): Promise<void> {
    await fs.mkdir(at, { recursive: true });
    await execa('mount', ['-o', 'loop', this.image, at]);
    this.mountedAt = at;
  }

  /** lazy: detach even while borg has files open, as yanking a cable would. */
  async unmount(opts: { lazy?: boolean } = {}): Promise<void> {
    if (!this.mountedAt) return;
    const at = this.mountedAt;
    this.mountedAt = null;
    await execa('umount', opts.lazy ? ['-l', at] : [at]);
  }

  get mounted(): boolean {
    return this.mountedAt !== null;
  }

  async dispose(): Promise<void> {
    if (this.mountedAt) await this.unmount({ lazy: true }).catch(() => {});
  }
}
