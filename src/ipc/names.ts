/**
 * The names of the IPC contract, with no dependencies: the sandboxed preload and the renderer's
 * client import this alone. The schemas and result types are in contract.ts.
 */
export const CALLS = [
  'status',
  'configRead',
  'configSave',
  'configSaveText',
  'openConfigFile',
  'runNow',
  'cancel',
  'resume',
  'logTail',
  'archives',
  'listFolder',
  'find',
  'versions',
  'restore',
  'cancelOperation',
  'check',
  'drill',
  'doctor',
  'testMonitor',
  'hostKey',
  'trustHostKey',
  'passphraseState',
  'setPassphrase',
  'initRepository',
  'exportKey',
  'pickFolder',
  'pickFile',
  'openLog',
  'openFdaSettings',
  'openLoginSettings',
  'loginItem',
  'setLoginItem',
  'previewSchedule',
  'volumeOf',
  'openWindow',
  'showInFinder',
  'importPreview',
  'importApply',
  'ready',
] as const;
export type CallName = (typeof CALLS)[number];

export const EVENTS = ['snapshot', 'progress', 'log', 'run-finished', 'op-progress', 'op-finished', 'folder-partial', 'navigate'] as const;
export type EventName = (typeof EVENTS)[number];

/** One ipcMain.handle channel per call: `dandelion:<name>`. */
export const CALL_PREFIX = 'dandelion:';
/** Main → window: one channel, one message per flush carrying a batch of events (see outbox.ts). */
export const EVENT_CHANNEL = 'dandelion:events';

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && (CALLS as readonly string[]).includes(name);
}
