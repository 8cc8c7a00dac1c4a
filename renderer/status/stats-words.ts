/**
 * A backup's numbers as a Mac user reads them. borg says "original", "compressed" and
 * "deduplicated" size; the card says what each means for them: how big the files are, and how much
 * the repository grew. When a tiny backup adds more than the files weigh, it says why (borg's own
 * metadata), instead of leaving a bigger number under a smaller one unexplained.
 */
import type { ArchiveStats } from '../shared/types.js';

export interface StatWords {
  label: string;
  value: string;
  /** The longer explanation, for the hover text (and a screen reader's description). */
  title: string;
}

export interface StatsWords {
  files: StatWords;
  size: StatWords;
  added: StatWords;
  /** Said under the numbers only when they would otherwise look wrong. */
  note: string | null;
}

export function statsWords(
  stats: Pick<ArchiveStats, 'nfiles' | 'originalSize' | 'compressedSize' | 'deduplicatedSize'>,
  bytes: (n: number) => string,
  count: (n: number) => string,
): StatsWords {
  const files = stats.nfiles === 1 ? 'file' : 'files';
  return {
    files: {
      label: 'Files',
      value: count(stats.nfiles),
      title: `${count(stats.nfiles)} ${files} in this backup.`,
    },
    size: {
      label: 'Size of the files',
      value: bytes(stats.originalSize),
      title:
        `The files in this backup take ${bytes(stats.originalSize)} on this Mac (borg’s “original size”); ` +
        `compressed, ${bytes(stats.compressedSize)}.`,
    },
    added: {
      label: 'New data stored',
      value: bytes(stats.deduplicatedSize),
      title:
        `How much the repository grew: only data no earlier backup had already stored, compressed, ` +
        `plus borg’s own metadata (borg’s “deduplicated size”).`,
    },
    note:
      stats.deduplicatedSize > stats.originalSize
        ? 'More than the files weigh: in a backup this small, most of it is borg’s own metadata.'
        : null,
  };
}
