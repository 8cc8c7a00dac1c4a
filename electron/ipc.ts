/**
 * The contract's calls on ipcMain: one handler per call, each refusing a sender that is not one of
 * our windows (checked by its frame URL and its webContents), then answering through the dispatcher,
 * which validates the arguments. `ready` also releases the window's queued events.
 */
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { CALL_PREFIX, CALLS } from '../src/ipc/names.js';
import { invalidRequest } from '../src/ipc/handlers.js';
import { failed, type Outcome } from '../src/engine/outcome.js';
import type { WindowManager } from './windows.js';

export function registerIpc(windows: WindowManager, dispatch: (name: unknown, args: unknown) => Promise<Outcome<unknown>>): () => void {
  for (const name of CALLS) {
    ipcMain.handle(CALL_PREFIX + name, async (event: IpcMainInvokeEvent, args: unknown) => {
      const kind = windows.kindOf(event.sender, event.senderFrame?.url);
      if (!kind)
        return failed(
          invalidRequest(`${name} came from ${event.senderFrame?.url || 'an unknown sender'}, which is not a Dandelion window`),
        );
      const answer = await dispatch(name, args);
      if (name === 'ready' && answer.ok) windows.ready(kind);
      return answer;
    });
  }
  return () => {
    for (const name of CALLS) ipcMain.removeHandler(CALL_PREFIX + name);
  };
}
