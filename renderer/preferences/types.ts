/**
 * The config shapes the preferences window edits, taken from the IPC contract's types (nothing of
 * the engine is bundled into the page).
 */
import type { ConfigSaveResult } from '../../src/ipc/contract.js';

export type Config = Extract<ConfigSaveResult, { saved: true }>['config'];
export type FieldError = Extract<ConfigSaveResult, { saved: false }>['errors'][number];
export type Profile = Config['profiles'][number];
export type PruneRules = NonNullable<Profile['prune']>;
export type EncryptionMode = NonNullable<Profile['encryption']>;
