/**
 * What a passphrase must be, and what is worth a word before it is stored. Pure, and here beside the
 * contract because the windows check it too; shared by the
 * engine, the IPC contract, the CLI and the preferences window.
 *
 * A passphrase is stored and handed to borg exactly as typed, spaces included: borg uses it
 * verbatim, so trimming it would store a different passphrase than the one the repository was made
 * with (or the one the user will type elsewhere). One that is empty after trimming is refused (it
 * protects nothing and is almost always a slip); leading or trailing spaces and a short passphrase
 * are only warned about.
 */

/** Below this many characters a new passphrase gets a warning (not a refusal). */
export const SHORT_PASSPHRASE = 12;

/** Why this passphrase cannot be stored, or null. */
export function passphraseRefusal(passphrase: string): string | null {
  if (passphrase === '') return 'The passphrase is empty; nothing was stored.';
  if (passphrase.trim() === '') return 'The passphrase is only spaces; nothing was stored.';
  return null;
}

/**
 * What to tell the user about a passphrase that can be stored. `choosing`: the user is choosing it
 * for a new repository (the length warning is only useful then; an existing repository's passphrase
 * is what it is).
 */
export function passphraseWarnings(passphrase: string, choosing: boolean): string[] {
  if (passphraseRefusal(passphrase) !== null) return [];
  const out: string[] = [];
  if (passphrase.trim() !== passphrase)
    out.push(
      'It starts or ends with a space. It is kept exactly as typed, spaces included: type it the same way wherever it is asked for.',
    );
  if (choosing && [...passphrase].length < SHORT_PASSPHRASE)
    out.push(
      `It is shorter than ${SHORT_PASSPHRASE} characters. The passphrase is the only way to read the off-site copy, and whoever gets the repository can try guesses at leisure: a few unrelated words are stronger and easier to remember.`,
    );
  return out;
}
