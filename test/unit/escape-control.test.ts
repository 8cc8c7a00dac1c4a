import { describe, expect, it } from 'vitest';
import { escapeControl } from '../../src/jobs/backup.js';

describe('escapeControl (every line of the run log passes through it)', () => {
  it('returns a line without control characters as it is', () => {
    for (const line of ['', 'A /home/me/ünïcode 💾.txt', 'M /a b/c\\nd', 'x'.repeat(10_000)]) expect(escapeControl(line)).toBe(line);
  });

  it('shows every control character and Unicode line break escaped, wherever it is in the line', () => {
    expect(escapeControl('a\nDandelion: run finished: success')).toBe('a\\nDandelion: run finished: success');
    expect(escapeControl('\r\t\x1b[31m\x00\x7f\x85\u2028\u2029end')).toBe('\\r\\t\\x1b[31m\\x00\\x7f\\x85\\u2028\\u2029end');
    // One control character among many plain lines (the test before the replace keeps no state between calls).
    const lines = ['plain', 'bell\x07', 'plain again', 'tab\there'];
    expect(lines.map(escapeControl)).toEqual(['plain', 'bell\\x07', 'plain again', 'tab\\there']);
  });
});
