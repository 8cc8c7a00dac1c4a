/**
 * Which IPC senders are ours: a frame showing one of our window pages, loaded from our own renderer
 * folder over file://. Anything else (another page, a navigated frame, a remote URL) is refused.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WINDOW_PAGES = { status: 'status.html', preferences: 'preferences.html', browse: 'browse.html' } as const;
export type WindowKind = keyof typeof WINDOW_PAGES;

/** The window kind a frame URL belongs to, or null when it is not one of ours. */
export function ownWindowOf(url: string | null | undefined, rendererDir: string): WindowKind | null {
  let file: string;
  try {
    const parsed = new URL(url ?? '');
    if (parsed.protocol !== 'file:') return null;
    // A file URL with a host (file://server/…) is not a local file: fileURLToPath refuses it.
    file = fileURLToPath(new URL(`file://${parsed.host}${parsed.pathname}`));
  } catch {
    return null;
  }
  if (path.dirname(path.normalize(file)) !== path.resolve(rendererDir)) return null;
  const base = path.basename(file);
  for (const [kind, page] of Object.entries(WINDOW_PAGES)) if (base === page) return kind as WindowKind;
  return null;
}
