/**
 * The preload of every window: exposes exactly the contract as `window.dandelion` (one method per
 * call, plus `on(event, listener) → unsubscribe`) through contextBridge, and nothing else — no
 * ipcRenderer, no Node. Sandboxed, so it is bundled into one file (dist-renderer/preload.cjs).
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createApi } from '../src/ipc/client.js';
import { CALL_PREFIX, EVENT_CHANNEL } from '../src/ipc/names.js';
import type { EventMessage } from '../src/ipc/contract.js';

const api = createApi(
  (name, args) => ipcRenderer.invoke(CALL_PREFIX + name, args),
  (listener) => {
    ipcRenderer.on(EVENT_CHANNEL, (_event, batch: EventMessage[]) => listener(batch));
  },
  // A dropped file's path (File.path is gone since Electron 32); the main process reads the file itself.
  (file) => webUtils.getPathForFile(file),
);

contextBridge.exposeInMainWorld('dandelion', api);
