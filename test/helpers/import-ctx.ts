/**
 * A fake machine for the import readers: home is /Users/me, whose files are test/fixtures/import/home,
 * and /import/NAME is test/fixtures/import/NAME. Only the paths listed in `existing` exist.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImportContext } from '../../src/import/context.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'import');

function real(p: string): string | null {
  if (p.startsWith('/Users/me/')) return path.join(FIXTURES, 'home', p.slice('/Users/me/'.length));
  if (p.startsWith('/import/')) return path.join(FIXTURES, p.slice('/import/'.length));
  return null;
}

export function fakeContext(
  existing: string[] = ['/usr/local/bin/borg', '/Users/me/.ssh/storagebox_key'],
): ImportContext & { reads: string[] } {
  const reads: string[] = [];
  return {
    home: '/Users/me',
    uid: 501,
    hostname: 'mbp',
    user: 'me',
    keychain: 'the Keychain',
    reads,
    exists: (p) => existing.includes(p),
    readFile: (p) => {
      reads.push(p);
      const file = real(p);
      if (file === null) return null;
      try {
        return fs.readFileSync(file, 'utf8');
      } catch {
        return null;
      }
    },
  };
}

/** A fixture's text, by its /import/ or /Users/me/ path. */
export function fixture(p: string): string {
  return fs.readFileSync(real(p)!, 'utf8');
}
