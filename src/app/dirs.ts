/**
 * The app's folders: the engine's config folder is the CLI's (defaultConfigDir, on every platform);
 * Chromium's own files (caches, local storage) get a folder of their own beside it, so the two never
 * mix — on a case-insensitive disk `Cache/` and `cache/` would be one folder.
 */
import path from 'node:path';

export const ELECTRON_DATA_FOLDER = 'Dandelion App Data';

/** Electron's `userData`, from its `appData`. */
export function electronUserData(appData: string): string {
  return path.join(appData, ELECTRON_DATA_FOLDER);
}
