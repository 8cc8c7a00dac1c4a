import { describe, expect, it } from 'vitest';
import { passphraseRefusal, passphraseWarnings, SHORT_PASSPHRASE } from '../../src/ipc/passphrase-rules.js';
import { Passphrases } from '../../src/engine/passphrases.js';
import type { Profile } from '../../src/profiles/schema.js';

describe('passphrase rules', () => {
  it('refuses empty and blank passphrases', () => {
    expect(passphraseRefusal('')).toBe('The passphrase is empty; nothing was stored.');
    expect(passphraseRefusal('   ')).toBe('The passphrase is only spaces; nothing was stored.');
    expect(passphraseRefusal('\t\n ')).toBe('The passphrase is only spaces; nothing was stored.');
    expect(passphraseRefusal(' x ')).toBeNull();
  });

  it('warns about a short one only while choosing it, saying why', () => {
    expect(SHORT_PASSPHRASE).toBe(12);
    const [short] = passphraseWarnings('elevenchars', true);
    expect(short).toContain('shorter than 12 characters');
    expect(short).toContain('the only way to read the off-site copy');
    expect(passphraseWarnings('twelve chars', true)).toEqual([]);
    expect(passphraseWarnings('elevenchars', false)).toEqual([]);
    // Characters, not UTF-16 units: eleven emoji are eleven characters.
    expect(passphraseWarnings('😀'.repeat(11), true)).toHaveLength(1);
    expect(passphraseWarnings('😀'.repeat(12), true)).toEqual([]);
  });

  it('keeps spaces at the ends, and says so', () => {
    const w = passphraseWarnings(' correct horse battery ', false);
    expect(w).toEqual([
      'It starts or ends with a space. It is kept exactly as typed, spaces included: type it the same way wherever it is asked for.',
    ]);
    expect(passphraseWarnings('correct horse battery ', true)).toHaveLength(1);
    expect(passphraseWarnings('   ', true)).toEqual([]);
  });
});

describe('the engine refuses a blank passphrase before checking or storing it', () => {
  const profile = { id: 'p', repository: '/r', encryption: 'repokey' } as Profile;
  const store = {
    set: () => Promise.reject(new Error('must not store')),
    get: () => Promise.resolve(null),
    delete: () => Promise.resolve(false),
  };
  it('and stores one with spaces at the ends as typed', async () => {
    const passphrases = new Passphrases(store as never);
    const checked: string[] = [];
    const r = await passphrases.save(profile, '   ', (c) => {
      checked.push(c);
      return Promise.resolve({ outcome: 'verified' } as never);
    });
    expect(r).toMatchObject({
      ok: false,
      diagnosis: { kind: 'passphrase-missing', message: 'The passphrase is only spaces; nothing was stored.' },
    });
    expect(checked).toEqual([]);
    const stored: string[] = [];
    const kept = new Passphrases({ ...store, set: (_a: string, v: string) => (stored.push(v), Promise.resolve()) } as never);
    await kept.save(profile, ' spaced out ', () => Promise.resolve({ outcome: 'verified' } as never));
    expect(stored).toEqual([' spaced out ']);
  });
});
