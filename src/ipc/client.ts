/**
 * Builds `window.dandelion` from two primitives: invoke a call, and receive event batches. The
 * preload passes Electron's ipcRenderer through these; the browser tests pass a bridge to a real
 * engine in the test process. Either way the window sees exactly the contract and nothing else.
 */
import { CALLS, type CallName, type EventName } from './names.js';
import type { DandelionApi, EventMessage, EventPayloads, Outcome } from './contract.js';

export function createApi(
  invoke: (name: CallName, args: unknown) => Promise<unknown>,
  subscribe: (listener: (batch: EventMessage[]) => void) => void,
  /** The path of a file dropped on the window (Electron's webUtils.getPathForFile in the preload). */
  pathOf: (file: File) => string | null = () => null,
): DandelionApi {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  subscribe((batch) => {
    for (const message of batch) {
      for (const listener of listeners.get(message.event) ?? []) {
        try {
          (listener as (payload: unknown) => void)(message.payload);
        } catch (err) {
          console.error(`dandelion: a listener of "${message.event}" threw`, err);
        }
      }
    }
  });
  const api: Record<string, unknown> = {};
  for (const name of CALLS) {
    api[name] = (args?: unknown) => invoke(name, args ?? {}) as Promise<Outcome<unknown>>;
  }
  api.pathOf = (file: File) => {
    try {
      return pathOf(file) || null;
    } catch {
      return null;
    }
  };
  api.on = <E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): (() => void) => {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => void set.delete(listener as (payload: never) => void);
  };
  return api as DandelionApi;
}
