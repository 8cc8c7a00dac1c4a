/**
 * The restore drill's sample: which files of the latest archive are really extracted and compared
 * byte for byte with their source, and what each comparison means. Pure: the random numbers come
 * from an injectable generator, so a test fixes the seed and a drill picks anew each time.
 */

export const SAMPLE_MAX_FILES = 100;
export const SAMPLE_MAX_BYTES = 200 * 1024 * 1024;

export interface ArchiveFile {
  /** The path inside the archive (no leading "/"). */
  path: string;
  size: number;
}

/** A generator of numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: a small seeded generator, good enough to pick a sample (not for secrets). */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Up to `maxFiles` regular files whose sizes add up to at most `maxBytes`, chosen at random: the
 * files in a random order (Fisher–Yates), each taken while it still fits. A file bigger than the
 * whole budget is never taken; empty files count (their restore is proven too). Returned in archive
 * order, each path once.
 */
export function chooseSample(files: readonly ArchiveFile[], opts: { maxFiles?: number; maxBytes?: number; random: Random }): ArchiveFile[] {
  const maxFiles = opts.maxFiles ?? SAMPLE_MAX_FILES;
  const maxBytes = opts.maxBytes ?? SAMPLE_MAX_BYTES;
  const order = files.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(opts.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const chosen: number[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  for (const i of order) {
    if (chosen.length >= maxFiles) break;
    const f = files[i]!;
    if (seen.has(f.path) || f.size < 0 || bytes + f.size > maxBytes) continue;
    seen.add(f.path);
    chosen.push(i);
    bytes += f.size;
  }
  return chosen.sort((a, b) => a - b).map((i) => files[i]!);
}

/** What a file looks like on disk, for the comparison: null when it is missing or not a regular file. */
export interface FileFacts {
  size: bigint;
  mtimeNs: bigint;
}

/**
 * A restored file against its source: `changed` when the source is gone or its size or mtime is not
 * the archive's (it was edited since: nothing to compare against), else `compare` (byte for byte).
 */
export function sampleVerdict(source: FileFacts | null, restored: FileFacts | null): 'missing' | 'changed' | 'compare' {
  if (restored === null) return 'missing';
  if (source === null || source.size !== restored.size || source.mtimeNs !== restored.mtimeNs) return 'changed';
  return 'compare';
}

export interface DrillDetails {
  /** Regular files in the archive, all read by the dry run. */
  files: number;
  /** Bytes the dry run read, decrypted and authenticated (borg's own total). */
  bytes: number;
  sampled: number;
  /** Sampled files identical to their unchanged source. */
  matched: number;
  /** Sampled files whose source changed since the archive (size or mtime): not compared. */
  skippedChanged: number;
  /** Sampled files that differ from an unchanged source, or that borg did not restore. */
  mismatched: string[];
}
