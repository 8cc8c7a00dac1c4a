/**
 * argv of the borg commands a check and a restore drill run. Arrays handed straight to borg (no
 * shell); positional arguments after `--`. Never `--repair`: Dandelion reports damage, the user
 * decides what to give up.
 */
import { archiveRef } from '../borg/argv.js';

const LOG = ['--log-json'];

/** Repository and archives (`borg check` does both by default); `--verify-data` reads and authenticates every chunk. */
export function verifyCheckArgs(repository: string, opts: { verifyData?: boolean } = {}): string[] {
  return ['check', ...LOG, '--progress', ...(opts.verifyData ? ['--verify-data'] : []), '--', repository];
}

/** Reads, decrypts and authenticates every chunk of the archive without writing a file. */
export function dryRunExtractArgs(repository: string, archive: string): string[] {
  return ['extract', ...LOG, '--dry-run', '--progress', '--', archiveRef(repository, archive)];
}

/** Every item of the archive, one JSON object per line on stdout. */
export function itemListArgs(repository: string, archive: string): string[] {
  return ['list', ...LOG, '--json-lines', '--', archiveRef(repository, archive)];
}

/**
 * Extracts exactly these archive paths into the working directory. Each is given as a `pp:` path
 * prefix, so no name is read as a pattern of another style (`sh:`, `re:` …); a regular file has
 * nothing below it, so a prefix matches that file alone.
 */
export function sampleExtractArgs(repository: string, archive: string, paths: string[]): string[] {
  return ['extract', ...LOG, '--', archiveRef(repository, archive), ...paths.map((p) => `pp:${p.replace(/^\/+/, '')}`)];
}
