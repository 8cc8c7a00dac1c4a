/** A `Host` (what only the app can do, src/ipc/handlers.ts) that does nothing and records each call. */
import type { Host } from '../../src/ipc/handlers.js';

export interface HostCall {
  method: string;
  args: unknown[];
}
export type FakeHost = Host & { calls: HostCall[] };

/** A host that does nothing and records every call; `overrides` replace single methods or values. */
export function fakeHost(overrides: Partial<Host> = {}): FakeHost {
  const calls: HostCall[] = [];
  const base: Host = {
    platform: process.platform,
    version: '0.0.0-test',
    fullDiskAccess: () => 'unknown',
    login: () => ({ openAtLogin: false, status: 'not-registered' }),
    setLogin: (openAtLogin) => ({ openAtLogin, status: openAtLogin ? 'enabled' : 'not-registered' }),
    pickFolder: async () => null,
    pickFile: async () => null,
    saveFile: async () => null,
    openPath: async () => true,
    openExternal: async () => {},
    openWindow: () => {},
    showItemInFolder: () => {},
    ...overrides,
  };
  const host = { calls } as unknown as FakeHost;
  for (const [key, value] of Object.entries(base) as [keyof Host, unknown][]) {
    (host as unknown as Record<string, unknown>)[key] =
      typeof value === 'function'
        ? (...args: unknown[]) => {
            // fullDiskAccess and login are asked with every snapshot: recorded only when they act.
            if (key !== 'fullDiskAccess' && key !== 'login') calls.push({ method: key, args });
            return (value as (...a: unknown[]) => unknown)(...args);
          }
        : value;
  }
  return host;
}
