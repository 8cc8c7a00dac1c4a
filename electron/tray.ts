/**
 * The menu-bar icon: draws trayView(snapshot) — every decision is in src/app/tray-view.ts — and turns
 * its menu actions into calls. Redrawn from the engine's snapshots at most twice a second while a
 * run streams progress, never per log line, and once a minute so "2 hours ago" stays true.
 */
import os from 'node:os';
import path from 'node:path';
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import { trayView, type TrayAction, type TrayEnv, type TrayMenuItem, type TrayView } from '../src/app/tray-view.js';
import { trayIconFile } from '../src/app/icons.js';
import { Throttle } from '../src/engine/throttle.js';
import type { AppSnapshot } from '../src/ipc/contract.js';

// A little over half a second, so timer jitter never lets a third redraw into one second.
export const TRAY_INTERVAL_MS = 550;
const CLOCK_MS = 60_000;

export interface TrayOptions {
  appRoot: string;
  platform: NodeJS.Platform;
  /** The OS's locale for dates and times (app.getSystemLocale()). */
  locale?: string;
  /** The macOS version (process.getSystemVersion()), for "Settings…" or "Preferences…". */
  systemVersion?: string;
  act(action: TrayAction): void;
}

export function menuTemplate(items: TrayMenuItem[], act: (a: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    if (item.type === 'separator') return { type: 'separator' };
    const action = item.action;
    return {
      label: item.label,
      type: item.submenu ? 'submenu' : (item.type ?? 'normal'),
      enabled: item.enabled ?? true,
      ...(item.type === 'checkbox' ? { checked: item.checked ?? false } : {}),
      ...(item.accelerator ? { accelerator: item.accelerator } : {}),
      ...(item.submenu ? { submenu: menuTemplate(item.submenu, act) } : {}),
      ...(action ? { click: () => act(action) } : {}),
    };
  });
}

export class TrayController {
  private readonly tray: Tray;
  private snapshot: AppSnapshot | null = null;
  private icon: string | null = null;
  private readonly throttle: Throttle;
  private readonly clock: NodeJS.Timeout;
  /** The last view drawn: the test hooks and the benchmark read it. */
  view: TrayView | null = null;
  /** Redraws so far, for the rate benchmark. */
  redraws = 0;

  constructor(private readonly opts: TrayOptions) {
    this.tray = new Tray(this.image('ok'));
    this.tray.setToolTip('Dandelion');
    this.throttle = new Throttle(TRAY_INTERVAL_MS, () => this.draw());
    this.clock = setInterval(() => this.draw(), CLOCK_MS);
    this.clock.unref?.();
  }

  private image(icon: TrayView['icon']) {
    const img = nativeImage.createFromPath(path.join(this.opts.appRoot, trayIconFile(icon, this.opts.platform)));
    if (this.opts.platform === 'darwin') img.setTemplateImage(true);
    return img;
  }

  update(snapshot: AppSnapshot): void {
    this.snapshot = snapshot;
    this.throttle.poke();
  }

  /** Draws now (a run's end should not wait for the throttle). */
  flush(): void {
    this.throttle.flush();
  }

  private env(s: AppSnapshot): TrayEnv {
    return {
      now: new Date(),
      platform: this.opts.platform,
      fullDiskAccess: s.app.fullDiskAccess,
      login: s.app.login,
      locale: this.opts.locale,
      systemVersion: this.opts.systemVersion,
      home: os.homedir(),
    };
  }

  private draw(): void {
    const s = this.snapshot;
    if (!s) return;
    const view = trayView(s, this.env(s));
    if (view.icon !== this.icon) {
      this.tray.setImage(this.image(view.icon));
      this.icon = view.icon;
    }
    this.tray.setTitle(view.title);
    this.tray.setToolTip(view.tooltip);
    this.tray.setContextMenu(Menu.buildFromTemplate(menuTemplate(view.menu, this.opts.act)));
    this.view = view;
    this.redraws++;
  }

  destroy(): void {
    this.throttle.cancel();
    clearInterval(this.clock);
    this.tray.destroy();
  }
}
