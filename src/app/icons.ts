/**
 * Which tray image the main process shows for a state. The images are rendered from
 * assets/icons/*.svg by scripts/render-icons.mjs. On macOS they are template images (black + alpha,
 * the name ends in "Template", Electron loads the @2x file beside it), so the menu bar tints them for
 * light and dark; other platforms get a colour per state, since their trays do not tint.
 */
export type TrayIcon = 'ok' | 'running' | 'attention' | 'error';

export const trayIcons: readonly TrayIcon[] = ['ok', 'running', 'attention', 'error'];

const baseNames: Record<TrayIcon, string> = {
  ok: 'trayOk',
  running: 'trayRunning',
  attention: 'trayAttention',
  error: 'trayError',
};

/** The image's path relative to the app root (the folder holding package.json and assets/). */
export function trayIconFile(icon: TrayIcon, platform: NodeJS.Platform): string {
  const base = baseNames[icon];
  return platform === 'darwin' ? `assets/tray/${base}Template.png` : `assets/tray/${base}.png`;
}
