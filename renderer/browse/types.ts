/**
 * The shapes the Browse Backups window draws, taken from the contract alone (types only).
 */
import type { ArchiveSummary, FileVersion, FindResult, FolderEntry, OpProgress, OpRecord, RestoreResult } from '../../src/ipc/contract.js';

export type { ArchiveSummary, FileVersion, FindResult, FolderEntry, OpProgress, OpRecord, RestoreResult };
export type EntryType = FolderEntry['type'];
