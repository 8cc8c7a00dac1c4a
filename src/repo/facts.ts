/**
 * What the engine learnt about repositories, so it is not asked of borg again: today their
 * encryption. One small JSON file (`cache/repositories.json`), keyed by repository location, written
 * atomically with mode 0600. It only ever holds a mode name and a time — never a secret. Two processes
 * writing at once lose one entry at worst; it is a cache, and the lost fact is simply detected again.
 */
import { readKeyedFile, writeKeyedFile } from '../keyed-file.js';
import { ENCRYPTION_MODES, type EncryptionMode } from '../profiles/schema.js';

export interface RepositoryFact {
  encryption: EncryptionMode;
  /** UTC ISO time it was learnt. */
  checkedAt: string;
}

type FactsFile = Record<string, RepositoryFact>;

function isFact(v: unknown): v is RepositoryFact {
  const f = v as Partial<RepositoryFact> | null;
  return (
    typeof f === 'object' &&
    f !== null &&
    (ENCRYPTION_MODES as readonly unknown[]).includes(f.encryption) &&
    typeof f.checkedAt === 'string' &&
    !Number.isNaN(Date.parse(f.checkedAt))
  );
}

export class RepositoryFacts {
  constructor(private readonly file: string) {}

  /** Every valid entry; a missing, unreadable or damaged file is an empty cache. */
  async all(): Promise<FactsFile> {
    return readKeyedFile(this.file, (fact) => (isFact(fact) ? { encryption: fact.encryption, checkedAt: fact.checkedAt } : null));
  }

  async get(repository: string): Promise<RepositoryFact | null> {
    return (await this.all())[repository] ?? null;
  }

  /** Records what was learnt; `checkedAt` is `now`. Only the fields named here are written. */
  async set(repository: string, learnt: { encryption: EncryptionMode }, now = new Date()): Promise<RepositoryFact> {
    if (!(ENCRYPTION_MODES as readonly string[]).includes(learnt.encryption))
      throw new Error(`not an encryption mode: ${learnt.encryption}`);
    const facts = await this.all();
    const fact = { encryption: learnt.encryption, checkedAt: now.toISOString() };
    facts[repository] = fact;
    await this.write(facts);
    return fact;
  }

  async forget(repository: string): Promise<void> {
    const facts = await this.all();
    if (!(repository in facts)) return;
    delete facts[repository];
    await this.write(facts);
  }

  private async write(facts: FactsFile): Promise<void> {
    await writeKeyedFile(this.file, facts);
  }
}
