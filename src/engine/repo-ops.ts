/**
 * One-off repository commands a face asks for — archives, the files in an archive, a passphrase
 * check, the encryption of an existing repository — each a call into src/repo/ with the profile's
 * borg environment, each ending in a result or a Diagnosis.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ConfigPaths } from '../paths.js';
import type { Profile } from '../profiles/schema.js';
import type { BorgBinary } from '../borg/locate.js';
import type { BorgRunResult, Secret } from '../borg/run.js';
import { featuresFor } from '../borg/features.js';
import type { History } from '../jobs/history.js';
import type { RepoCommand, RepoCommandOptions } from '../repo/types.js';
import { listArchives, type ArchiveSummary, type ListedArchive } from '../repo/archives.js';
import type { FolderEntry } from '../repo/contents.js';
import { archiveGlob, listItemsArgs, withoutLock } from '../borg/argv.js';

/** The niceness of borg for work done in the background: the lowest priority there is. */
export const BACKGROUND_NICE = 19;
import { diagnosisFor } from '../messages.js';
import { contextFor, failureOf, unreadable } from '../repo/types.js';
import type { ArchiveBrowser, ArchiveList, FileVersion, FindResult, FolderOptions } from '../browse/browser.js';
import { checkPassphrase } from '../repo/passphrase-check.js';
import { detectEncryption, RepositoryFacts } from '../repo/encryption.js';
import { failed, ok, type Outcome } from './outcome.js';
import type { PassphraseCheck } from '../repo/passphrase-check.js';

export type { ArchiveSummary, ListedArchive };
export type { FolderEntry, FileVersion, FindResult, FolderOptions };

export interface EncryptionInfo {
  mode: string;
  /** false when the profile names it; true when it was found out from the repository. */
  detected: boolean;
}

export interface RepoOpsDeps {
  paths: ConfigPaths;
  history: History;
  command(p: Profile, args: string[], opts?: RepoCommandOptions): Promise<BorgRunResult>;
  borg(p: Profile): Promise<BorgBinary>;
  secretFor(p: Profile): Promise<Secret>;
}

export class RepoOps {
  private readonly facts: RepositoryFacts;
  private browsing: Promise<ArchiveBrowser> | null = null;
  /** The last listing of archives made before the browser was loaded, handed to it when it is. */
  private lastListing: { p: Profile; listing: ArchiveList; opts: { checkpoints?: boolean }; at: number } | null = null;

  constructor(private readonly deps: RepoOpsDeps) {
    this.facts = new RepositoryFacts(deps.paths.repositories);
  }

  private cmd(p: Profile): RepoCommand {
    return (args, opts) => this.deps.command(p, args, opts);
  }

  /**
   * Read-only listings nobody waits for: at the lowest priority, without the repository's lock, ended
   * by `signal` with SIGKILL. A borg at niceness 19 on a busy machine may need seconds of CPU to act
   * on SIGINT, and a daemon told to stop would wait that long; a listing that holds no lock and
   * writes nothing has no checkpoint to make.
   */
  private background(p: Profile, signal?: AbortSignal): RepoCommand {
    return (args, opts) => {
      const lockFree = withoutLock(args);
      // Only what runs without the lock may be killed outright; anything else gets borg's own cancel.
      const hard = lockFree.includes('--bypass-lock');
      return this.deps.command(p, lockFree, {
        ...opts,
        nice: BACKGROUND_NICE,
        ...(signal ? { signal, ...(hard ? { cancelSignal: 'SIGKILL' as const } : {}) } : {}),
      });
    };
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
    if (!r.ok) return failed(r.diagnosis);
    if (r.repositoryId) {
      const listing = { repositoryId: r.repositoryId, archives: r.archives };
      // A listing shows which archives are gone: their indexes go too (only when there are indexes to look at).
      // Otherwise it is kept for the browser, which a window opens next: its first folder needs no listing of its own.
      if (this.browsing || existsSync(path.join(this.deps.paths.archiveIndex, r.repositoryId)))
        await (await this.browser()).noteListing(p, listing, opts);
      else this.lastListing = { p, listing, opts, at: Date.now() };
    }
    return ok(r.archives);
  }

  /** The archive browser (src/browse/), loaded on first use: a `dandelion run` never loads it. */
  browser(): Promise<ArchiveBrowser> {
    this.browsing ??= (async () => {
      const [{ ArchiveBrowser }, { IndexStore, INDEX_CACHE_MAX_BYTES }] = await Promise.all([
        import('../browse/browser.js'),
        import('../browse/store.js'),
      ]);
      const mb = Number(process.env.DANDELION_INDEX_CACHE_MB);
      const store = new IndexStore(this.deps.paths.archiveIndex, Number.isFinite(mb) && mb > 0 ? mb * 1024 * 1024 : INDEX_CACHE_MAX_BYTES);
      const browser = new ArchiveBrowser({
        store,
        listArchives: async (p, bg) => {
          const borg = await this.deps.borg(p);
          // Checkpoints too: `dandelion archives` shows them, so they can be browsed (never `latest`, never in versions).
          const cmd = bg?.background ? this.background(p, bg.signal) : this.cmd(p);
          const r = await listArchives(cmd, p.repository, featuresFor(borg.version), p.archiveName, async () => new Map(), {
            checkpoints: true,
          });
          if (!r.ok) return failed(r.diagnosis);
          if (!r.repositoryId) return failed(unreadable(p.repository, 'archive list').diagnosis);
          return ok({ repositoryId: r.repositoryId, archives: r.archives });
        },
        listItems: async (p, archive, onStdout, bg) => {
          const args = listItemsArgs(p.repository, archive);
          const r = await (bg?.background ? this.background(p, bg.signal) : this.cmd(p))(args, { onStdout });
          return r.level === 'error' ? failed(failureOf(r, p.repository).diagnosis) : ok(undefined);
        },
        lastChange: async (p) => {
          const last = (await this.deps.history.summary(p.id, p.repository)).lastRun;
          const at = Date.parse(last?.finishedAt ?? last?.startedAt ?? '');
          return Number.isNaN(at) ? null : at;
        },
        archiveGlob: (p) => (p.archiveName ? archiveGlob(p.archiveName) : null),
        diagnose: (p, kind, facts) =>
          diagnosisFor(kind, { ...contextFor(p.repository), profile: p.id }, undefined, {
            archive: facts.archive,
            example: facts.path,
            summary: facts.summary,
          }),
      });
      const last = this.lastListing;
      this.lastListing = null;
      if (last) await browser.noteListing(last.p, last.listing, { ...last.opts, fetchedAt: last.at });
      return browser;
    })();
    return this.browsing;
  }

  /** The archive a name (or 'latest') stands for: its name, id and start. */
  async archive(p: Profile, name: string): Promise<Outcome<ListedArchive>> {
    const r = await (await this.browser()).resolve(p, name);
    return r.ok ? ok(r.value.archive) : r;
  }

  async listFolder(p: Profile, archive: string, folder: string, opts: FolderOptions = {}): Promise<Outcome<FolderEntry[]>> {
    return (await this.browser()).listFolder(p, archive, folder, opts);
  }

  async find(p: Profile, archive: string, pattern: string): Promise<Outcome<FindResult>> {
    return (await this.browser()).find(p, archive, pattern);
  }

  async versions(
    p: Profile,
    archivePath: string,
    opts: { onProgress?: (done: number, total: number) => void } = {},
  ): Promise<Outcome<FileVersion[]>> {
    return (await this.browser()).versions(p, archivePath, opts);
  }

  /** Indexes a new archive for browsing in the background (src/browse/browser.ts `prepare`). */
  async indexArchive(p: Profile, archive: string, signal?: AbortSignal): Promise<Outcome<{ made: boolean }>> {
    return (await this.browser()).prepare(p, archive, { background: true, signal });
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
