/**
 * The windows: one factory that makes every window secure (isolated, sandboxed, no Node, no
 * navigation, no new windows, no permissions), and a manager that opens or focuses the status and
 * preferences windows, feeds each its own Outbox and knows which IPC senders are ours.
 */
import path from 'node:path';
import { BrowserWindow, type WebContents } from 'electron';
import type { Engine } from '../src/engine.js';
import type { AppSnapshot, EventMessage } from '../src/ipc/contract.js';
import { EVENT_CHANNEL } from '../src/ipc/names.js';
import { Outbox } from '../src/ipc/outbox.js';
import { feedWindow } from '../src/ipc/feed.js';
import { ownWindowOf, WINDOW_PAGES, type WindowKind } from '../src/ipc/sender.js';
import type { EngineSnapshot } from '../src/engine/status.js';

export const WINDOW_SIZES: Record<WindowKind, { width: number; height: number; title: string }> = {
  status: { width: 420, height: 560, title: 'Dandelion' },
  preferences: { width: 640, height: 520, title: 'Dandelion Preferences' },
  browse: { width: 780, height: 540, title: 'Browse Backups' },
};

/** Every window the app opens is made here, and only here. */
export function createSecureWindow(opts: { width: number; height: number; title: string; preload: string }): BrowserWindow {
  const win = new BrowserWindow({
    width: opts.width,
    height: opts.height,
    minWidth: Math.min(360, opts.width),
    minHeight: Math.min(400, opts.height),
    title: opts.title,
    show: false,
    fullscreenable: false,
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  const contents = win.webContents;
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  contents.session.setPermissionCheckHandler(() => false);
  return win;
}

interface Open {
  window: BrowserWindow;
  outbox: Outbox;
  unfeed: () => void;
}

export interface WindowManagerOptions {
  engine: Engine;
  rendererDir: string;
  preload: string;
  app: (s: EngineSnapshot) => AppSnapshot;
}

export class WindowManager {
  private readonly open = new Map<WindowKind, Open>();

  constructor(private readonly opts: WindowManagerOptions) {}

  /** Opens the window, or brings it forward; `navigate` asks it to show a profile or section. */
  show(kind: WindowKind, navigate: { profile?: string; section?: string } = {}): BrowserWindow {
    const existing = this.open.get(kind);
    if (existing && !existing.window.isDestroyed()) {
      if (navigate.profile || navigate.section) existing.outbox.push({ event: 'navigate', payload: navigate });
      if (existing.window.isMinimized()) existing.window.restore();
      existing.window.show();
      existing.window.focus();
      return existing.window;
    }
    const size = WINDOW_SIZES[kind];
    const window = createSecureWindow({ ...size, preload: this.opts.preload });
    const contents = window.webContents;
    const outbox = new Outbox({
      send: (batch: EventMessage[]) => {
        if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, batch);
      },
    });
    if (navigate.profile || navigate.section) outbox.push({ event: 'navigate', payload: navigate });
    const unfeed = feedWindow(this.opts.engine, outbox, this.opts.app);
    this.open.set(kind, { window, outbox, unfeed });
    window.once('ready-to-show', () => window.show());
    window.on('closed', () => {
      outbox.close();
      unfeed();
      if (this.open.get(kind)?.window === window) this.open.delete(kind);
    });
    void window.loadFile(path.join(this.opts.rendererDir, WINDOW_PAGES[kind]));
    return window;
  }

  /** The window kind of an IPC sender: its frame shows one of our pages and it is a window we opened. */
  kindOf(sender: WebContents | null | undefined, frameUrl: string | null | undefined): WindowKind | null {
    const kind = ownWindowOf(frameUrl, this.opts.rendererDir);
    if (!kind || !sender) return null;
    const open = this.open.get(kind);
    return open && open.window.webContents === sender ? kind : null;
  }

  ready(kind: WindowKind): void {
    this.open.get(kind)?.outbox.markReady();
  }

  outbox(kind: WindowKind): Outbox | null {
    return this.open.get(kind)?.outbox ?? null;
  }

  closeAll(): void {
    for (const { window } of [...this.open.values()]) if (!window.isDestroyed()) window.close();
  }
}
