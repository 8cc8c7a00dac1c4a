import { describe, expect, it } from 'vitest';
import { readImport } from '../../src/import/read.js';
import { fakeContext } from '../helpers/import-ctx.js';
import { parseConfig } from '../../src/profiles/schema.js';

/** A small seeded generator: the same inputs on every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const PIECES = [
  'borg ',
  'create ',
  'prune ',
  '::',
  '{now}',
  '{hostname}-',
  '/Volumes/d/r',
  '~/x ',
  '"',
  "'",
  '\\',
  '\n',
  '$(',
  ')',
  '`',
  '${',
  '}',
  '$X',
  'X=',
  'export ',
  '--exclude ',
  '-e ',
  '--keep-daily ',
  '7 ',
  '|',
  '&&',
  ';',
  '#',
  '<<EOF\n',
  'EOF\n',
  'for r in a b; do ',
  'done',
  '(',
  'case x in',
  'esac',
  ' ',
  '\t',
  '<plist>',
  '<dict>',
  '<key>Label</key>',
  '<string>',
  '</string>',
  '</dict>',
  '</plist>',
  '0 3 * * * ',
  '@daily ',
  'BORG_RSH="ssh -p ',
  '23"',
  '-p',
];

const BASE = "export BORG_REPO=/Volumes/d/r\nborg create --stats ::'{hostname}-{now}' ~/x --exclude '*.tmp'\nborg prune --keep-daily 7\n";

describe('readImport on any text', () => {
  it('never throws, and every profile it makes passes the schema', () => {
    const next = random(17);
    let made = 0;
    for (let n = 0; n < 400; n++) {
      // A working script with a few pieces dropped in anywhere, or pieces alone.
      let text = n % 4 === 0 ? '' : BASE;
      const insertions = n % 4 === 0 ? Math.floor(next() * 40) : 1 + Math.floor(next() * 3);
      for (let i = 0; i < insertions; i++) {
        const at = Math.floor(next() * (text.length + 1));
        text = text.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)]! + text.slice(at);
      }
      const ctx = fakeContext();
      ctx.readFile = (p) => (p === '/in' ? text : null);
      const r = readImport(['/in'], ctx);
      made += r.profiles.length;
      for (const p of r.profiles) {
        const parsed = parseConfig({ profiles: [p] });
        // A profile the schema refuses must come with a todo saying what to fix.
        if (!parsed.ok)
          expect(
            r.report.some((i) => i.kind === 'todo' && i.profile === p.id),
            text,
          ).toBe(true);
      }
    }
    // Most mutated scripts still make a profile: the test reaches the profile code, not only the error paths.
    expect(made).toBeGreaterThan(100);
  });
});
