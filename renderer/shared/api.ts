/**
 * The window's one way out: `window.dandelion`, exposed by the preload (or, in the browser tests,
 * by a bridge to a real engine). Exactly the contract of src/ipc/contract.ts, nothing else.
 */
import type { DandelionApi } from '../../src/ipc/contract.js';

declare global {
  interface Window {
    dandelion: DandelionApi;
  }
}

export const api: DandelionApi = window.dandelion;
