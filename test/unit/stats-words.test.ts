import { describe, expect, it } from 'vitest';
import { statsWords } from '../../renderer/status/stats-words.js';
import { formatBytes } from '../../src/format.js';

const count = (n: number) => n.toLocaleString('en-US');
const words = (s: { nfiles: number; originalSize: number; compressedSize: number; deduplicatedSize: number }) =>
  statsWords(s, formatBytes, count);

describe('a backup’s numbers in words', () => {
  it('names the sizes as a user understands them, with borg’s words only in the explanation', () => {
    const w = words({ nfiles: 412_345, originalSize: 52_300_000_000, compressedSize: 31_000_000_000, deduplicatedSize: 42_100_000 });
    expect(w.files).toMatchObject({ label: 'Files', value: '412,345' });
    expect(w.size).toMatchObject({ label: 'Size of the files', value: formatBytes(52_300_000_000) });
    expect(w.added).toMatchObject({ label: 'New data stored', value: formatBytes(42_100_000) });
    expect(w.size.title).toContain('original size');
    expect(w.size.title).toContain(`compressed, ${formatBytes(31_000_000_000)}`);
    expect(w.added.title).toContain('deduplicated size');
    expect(w.added.title).toContain('metadata');
    for (const s of [w.files, w.size, w.added]) expect(s.label).not.toMatch(/original|deduplicated/i);
    expect(w.note).toBeNull();
  });

  it('explains a tiny backup that stored more than its files weigh', () => {
    const w = words({ nfiles: 3, originalSize: 341, compressedSize: 300, deduplicatedSize: 3_300 });
    expect(w.note).toMatch(/borg’s own metadata/);
    expect(w.files.title).toBe('3 files in this backup.');
    expect(words({ nfiles: 1, originalSize: 10, compressedSize: 10, deduplicatedSize: 10 }).files.title).toBe('1 file in this backup.');
    expect(words({ nfiles: 1, originalSize: 10, compressedSize: 10, deduplicatedSize: 10 }).note).toBeNull();
  });
});
