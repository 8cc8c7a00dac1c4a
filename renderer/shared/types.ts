/**
 * The shapes a window draws, named once and taken from the contract alone (types only: nothing of
 * the engine is bundled into a window).
 */
import type { AppSnapshot, EventPayloads, Outcome } from '../../src/ipc/contract.js';

export type { AppSnapshot, EventPayloads, Outcome };
export type ProfileSnapshot = AppSnapshot['profiles'][number];
export type RunRecord = EventPayloads['run-finished'];
export type RunResult = RunRecord['result'];
export type Diagnosis = RunRecord['diagnoses'][number];
export type ErrorKind = Diagnosis['kind'];
export type LiveProgress = EventPayloads['progress']['progress'];
export type ArchiveStats = NonNullable<RunRecord['stats']>;
export type Section = 'new-profile' | 'general' | 'repository' | 'sources' | 'schedule' | 'keep' | 'passphrase';
