/**
 * One-off repository commands a face asks for — archives, the files in an archive, a passphrase
 * check, the encryption of an existing repository — each a call into src/repo/ with the profile's
 * borg environment, each ending in a result or a Diagnosis.
 */
import type { ConfigPaths } from '../paths.js';
import type { Profile } from '../profiles/schema.js';
import type { BorgBinary } from '../borg/locate.js';
import type { BorgRunResult, Secret } from '../borg/run.js';
import { featuresFor } from '../borg/features.js';
import type { History } from '../jobs/history.js';
import type { RepoCommand } from '../repo/types.js';
import { listArchives, type ArchiveSummary } from '../repo/archives.js';
import type { FolderEntry } from '../repo/contents.js';
import { checkPassphrase } from '../repo/passphrase-check.js';
import { detectEncryption, RepositoryFacts } from '../repo/encryption.js';
import { failed, ok, type Outcome } from './outcome.js';
import type { PassphraseCheck } from '../repo/passphrase-check.js';

export type { ArchiveSummary };
export type { FolderEntry };

export interface EncryptionInfo {
  mode: string;
  /** false when the profile names it; true when it was found out from the repository. */
  detected: boolean;
}

export interface RepoOpsDeps {
  paths: ConfigPaths;
  history: History;
  command(p: Profile, args: string[], opts?: { captureStdout?: boolean; secret?: Secret }): Promise<BorgRunResult>;
  borg(p: Profile): Promise<BorgBinary>;
  secretFor(p: Profile): Promise<Secret>;
}

export class RepoOps {
  private readonly facts: RepositoryFacts;

  constructor(private readonly deps: RepoOpsDeps) {
    this.facts = new RepositoryFacts(deps.paths.repositories);
  }

  private cmd(p: Profile): RepoCommand {
    return (args, opts) => this.deps.command(p, args, opts);
  }

  async archives(p: Profile, opts: { checkpoints?: boolean } = {}): Promise<Outcome<ArchiveSummary[]>> {
    const borg = await this.deps.borg(p);
    // Our records are read from the end, only until every listed archive's stats are found.
    const r = await listArchives(
      this.cmd(p),
      p.repository,
      featuresFor(borg.version),
      p.archiveName,
      (names) => this.deps.history.statsByArchive(p.id, p.repository, names),
      opts,
    );
    return r.ok ? ok(r.archives) : failed(r.diagnosis);
  }

  async listFolder(p: Profile, archive: string, folder: string): Promise<Outcome<FolderEntry[]>> {
    // Loaded when a window browses an archive: a `dandelion run` (which builds this object too) never does.
    const { listFolder } = await import('../repo/contents.js');
    const r = await listFolder(this.cmd(p), p.repository, archive, folder);
    return r.ok ? ok(r.entries) : failed(r.diagnosis);
  }

  checkPassphrase(p: Profile, candidate: string): Promise<PassphraseCheck> {
    return checkPassphrase(this.cmd(p), p.repository, candidate);
  }

  async encryption(p: Profile): Promise<Outcome<EncryptionInfo>> {
    if (p.encryption) return ok({ mode: p.encryption, detected: false });
    const known = await this.facts.get(p.repository);
    if (known?.encryption) return ok({ mode: known.encryption, detected: true });
    const r = await detectEncryption(this.cmd(p), p.repository, await this.deps.secretFor(p));
    if (!r.ok) return failed(r.diagnosis);
    await this.facts.set(p.repository, { encryption: r.mode });
    return ok({ mode: r.mode, detected: true });
  }
}
