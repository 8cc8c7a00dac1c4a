/**
 * A recording fake of the `electron` module for driving the real main process in tests: the tray,
 * its menus, notifications, windows, ipcMain, powerMonitor, powerSaveBlocker, dialogs and shell.
 * It records what the user would see and lets a test click menu items, answer dialogs, send IPC
 * calls as a given window (or a foreign sender) and fire power events. Only what the main process
 * uses is here; anything else is missing on purpose, so new use shows up as a type or test failure.
 */
import { EventEmitter } from 'node:events';

export interface FakeMenuItem {
  label?: string;
  type?: string;
  enabled?: boolean;
  checked?: boolean;
  accelerator?: string;
  click?: () => void;
  submenu?: FakeMenuItem[] | FakeMenu;
}

export class FakeMenu {
  constructor(readonly items: FakeMenuItem[]) {}
  static buildFromTemplate(template: FakeMenuItem[]): FakeMenu {
    return new FakeMenu(
      template.map((i) => ({ ...i, submenu: Array.isArray(i.submenu) ? FakeMenu.buildFromTemplate(i.submenu) : i.submenu })),
    );
  }
}

export class FakeNativeImage {
  constructor(readonly path: string) {}
  static createFromPath(p: string): FakeNativeImage {
    return new FakeNativeImage(p);
  }
  setTemplateImage(template: boolean): void {
    this.template = template;
  }
  template = false;
  isEmpty(): boolean {
    return false;
  }
}

export class FakeTray extends EventEmitter {
  image: string;
  title = '';
  tooltip = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  /** Every change the user could see, counted for the rate checks. */
  updates = 0;
  constructor(image: FakeNativeImage | string) {
    super();
    this.image = typeof image === 'string' ? image : image.path;
    fake.trays.push(this);
  }
  /** Every image and title the menu bar showed, in order. */
  readonly images: string[] = [];
  readonly titles: string[] = [];
  setImage(image: FakeNativeImage | string): void {
    this.image = typeof image === 'string' ? image : image.path;
    this.images.push(this.image);
  }
  setTitle(title: string): void {
    this.title = title;
    if (this.titles.at(-1) !== title) this.titles.push(title);
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  /** When each menu was set (performance.now()), for the rate benchmark. */
  readonly menuTimes: number[] = [];
  setContextMenu(menu: FakeMenu | null): void {
    this.menu = menu;
    this.updates++;
    this.menuTimes.push(performance.now());
  }
  popUpContextMenu(): void {}
  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export interface ShownNotification {
  title: string;
  body: string;
  silent?: boolean;
  click(): void;
}

export class FakeNotification extends EventEmitter {
  constructor(readonly options: { title: string; body: string; silent?: boolean }) {
    super();
  }
  static isSupported(): boolean {
    return true;
  }
  show(): void {
    fake.notifications.push({ ...this.options, click: () => this.emit('click') });
  }
  close(): void {}
}

let nextId = 1;

class FakeSession {
  permissionRequestHandler: unknown = null;
  permissionCheckHandler: unknown = null;
  setPermissionRequestHandler(h: unknown): void {
    this.permissionRequestHandler = h;
  }
  setPermissionCheckHandler(h: unknown): void {
    this.permissionCheckHandler = h;
  }
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly session = new FakeSession();
  readonly sent: { channel: string; args: unknown[]; at: number }[] = [];
  windowOpenHandler: ((d: { url: string }) => { action: string }) | null = null;
  url = '';
  destroyed = false;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args, at: performance.now() });
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getURL(): string {
    return this.url;
  }
  focus(): void {}
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  visible = false;
  destroyed = false;
  focused = 0;
  file: string | null = null;
  constructor(readonly options: Record<string, unknown>) {
    super();
    fake.windows.push(this);
  }
  async loadFile(file: string, opts?: { hash?: string; query?: Record<string, string> }): Promise<void> {
    this.file = file;
    this.webContents.url = `file://${file}${opts?.hash ? `#${opts.hash}` : ''}`;
    this.webContents.emit('did-finish-load');
  }
  override once(event: string, listener: (...a: unknown[]) => void): this {
    super.once(event, listener);
    if (event === 'ready-to-show') queueMicrotask(() => this.emit('ready-to-show'));
    return this;
  }
  show(): void {
    this.visible = true;
  }
  focus(): void {
    this.focused++;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  close(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
  destroy(): void {
    this.close();
  }
  setMenuBarVisibility(): void {}
  static getFocusedWindow(): FakeBrowserWindow | null {
    return null;
  }
  static getAllWindows(): FakeBrowserWindow[] {
    return fake.windows.filter((w) => !w.destroyed);
  }
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;

class FakeIpcMain extends EventEmitter {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

class FakeApp extends EventEmitter {
  paths: Record<string, string> = { appData: '/nonexistent/appData', userData: '/nonexistent/userData', home: '/nonexistent' };
  loginItem = { openAtLogin: false, status: 'not-registered' as string };
  loginItemCalls: { openAtLogin: boolean }[] = [];
  quitCalls = 0;
  exitCode: number | null = null;
  singleInstance = true;
  dockHidden = false;
  readonly dock = {
    hide: () => {
      this.dockHidden = true;
    },
  };
  getPath(name: string): string {
    const p = this.paths[name];
    if (!p) throw new Error(`fake app.getPath: no path "${name}"`);
    return p;
  }
  setPath(name: string, value: string): void {
    this.paths[name] = value;
  }
  getVersion(): string {
    return '0.0.0-test';
  }
  getName(): string {
    return 'Dandelion';
  }
  /** The OS's regional format, as app.getSystemLocale() gives it; tests set it. */
  systemLocale = 'en-US';
  getSystemLocale(): string {
    return this.systemLocale;
  }
  isPackaged = false;
  requestSingleInstanceLock(): boolean {
    return this.singleInstance;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  isReady(): boolean {
    return true;
  }
  getLoginItemSettings(): { openAtLogin: boolean; status: string; executableWillLaunchAtLogin: boolean } {
    return { ...this.loginItem, executableWillLaunchAtLogin: this.loginItem.openAtLogin };
  }
  setLoginItemSettings(settings: { openAtLogin: boolean }): void {
    this.loginItemCalls.push({ openAtLogin: settings.openAtLogin });
    this.loginItem = { openAtLogin: settings.openAtLogin, status: settings.openAtLogin ? 'enabled' : 'not-registered' };
  }
  /** Like Electron: emits before-quit (which may be prevented), then will-quit and quit. */
  quit(): void {
    this.quitCalls++;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.emit('will-quit', { preventDefault: () => {} });
    fake.quit = true;
  }
  exit(code = 0): void {
    this.exitCode = code;
    fake.quit = true;
  }
  focus(): void {}
}

class FakePowerMonitor extends EventEmitter {
  onBattery = false;
  isOnBatteryPower(): boolean {
    return this.onBattery;
  }
}

class FakePowerSaveBlocker {
  private next = 1;
  readonly active = new Set<number>();
  /** Every start and stop, in order. */
  readonly log: string[] = [];
  start(type: string): number {
    const id = this.next++;
    this.active.add(id);
    this.log.push(`start ${type}`);
    return id;
  }
  stop(id: number): void {
    this.active.delete(id);
    this.log.push('stop');
  }
  isStarted(id: number): boolean {
    return this.active.has(id);
  }
}

export interface DialogCall {
  kind: string;
  options: Record<string, unknown>;
  /** The window a message box is a sheet of (its first argument), if any. */
  window?: FakeBrowserWindow;
}

class FakeDialog {
  /**
   * What the next dialogs answer; tests push answers. Message boxes answer a button index, or a
   * promise of one: the question then stays open until the test settles it.
   */
  readonly answers: unknown[] = [];
  readonly calls: DialogCall[] = [];
  private answer(kind: string, options: Record<string, unknown>, fallback: unknown, window?: FakeBrowserWindow): unknown {
    this.calls.push({ kind, options, ...(window ? { window } : {}) });
    return this.answers.length ? this.answers.shift() : fallback;
  }
  async showOpenDialog(...args: unknown[]): Promise<{ canceled: boolean; filePaths: string[] }> {
    const options = args.at(-1) as Record<string, unknown>;
    const a = this.answer('open', options, null) as string | null;
    return a ? { canceled: false, filePaths: [a] } : { canceled: true, filePaths: [] };
  }
  async showSaveDialog(...args: unknown[]): Promise<{ canceled: boolean; filePath?: string }> {
    const options = args.at(-1) as Record<string, unknown>;
    const a = this.answer('save', options, null) as string | null;
    return a ? { canceled: false, filePath: a } : { canceled: true };
  }
  async showMessageBox(...args: unknown[]): Promise<{ response: number; checkboxChecked: boolean }> {
    const options = args.at(-1) as Record<string, unknown>;
    const window = args.length > 1 ? (args[0] as FakeBrowserWindow) : undefined;
    return { response: await (this.answer('message', options, 0, window) as number | Promise<number>), checkboxChecked: false };
  }
  showErrorBox(title: string, content: string): void {
    this.calls.push({ kind: 'error', options: { title, content } });
  }
}

class FakeShell {
  readonly opened: string[] = [];
  /** Every file shown in Finder (showItemInFolder), in order. */
  readonly shown: string[] = [];
  showItemInFolder(p: string): void {
    this.shown.push(p);
  }
  async openExternal(url: string): Promise<void> {
    this.opened.push(url);
  }
  async openPath(p: string): Promise<string> {
    this.opened.push(p);
    return '';
  }
}

export const app = new FakeApp();
export const ipcMain = new FakeIpcMain();
export const powerMonitor = new FakePowerMonitor();
export const powerSaveBlocker = new FakePowerSaveBlocker();
export const dialog = new FakeDialog();
export const shell = new FakeShell();
export const Tray = FakeTray;
export const Menu = FakeMenu;
export const Notification = FakeNotification;
export const BrowserWindow = FakeBrowserWindow;
export const nativeImage = FakeNativeImage;

export interface Fake {
  trays: FakeTray[];
  notifications: ShownNotification[];
  windows: FakeBrowserWindow[];
  quit: boolean;
  readonly tray: FakeTray;
  menuLabels(menu?: FakeMenu | null, indent?: string): string[];
  menuItem(path: string | (string | RegExp)[], menu?: FakeMenu | null): FakeMenuItem;
  click(path: string | (string | RegExp)[]): void;
  invoke(channel: string, args: unknown, from: FakeBrowserWindow | { url: string }): Promise<unknown>;
  reset(): void;
}

/** What the test reads and drives. */
export const fake: Fake = {
  trays: [] as FakeTray[],
  notifications: [] as ShownNotification[],
  windows: [] as FakeBrowserWindow[],
  quit: false,
  get tray(): FakeTray {
    const t = fake.trays.filter((x) => !x.destroyed).at(-1);
    if (!t) throw new Error('no tray was created');
    return t;
  },
  /** The tray menu as a user reads it: labels, with "—" for separators, submenus indented. */
  menuLabels(menu: FakeMenu | null = fake.tray.menu, indent = ''): string[] {
    if (!menu) return [];
    const out: string[] = [];
    for (const i of menu.items) {
      if (i.type === 'separator') out.push(`${indent}—`);
      else
        out.push(
          `${indent}${i.type === 'checkbox' ? (i.checked ? '[x] ' : '[ ] ') : ''}${i.label ?? ''}${i.enabled === false ? ' (disabled)' : ''}`,
        );
      if (i.submenu instanceof FakeMenu) out.push(...fake.menuLabels(i.submenu, indent + '  '));
    }
    return out;
  },
  /** Finds a menu item by its label (a path through submenus: ['Back Up Now', 'Off-site']). */
  menuItem(path: string | (string | RegExp)[], menu: FakeMenu | null = fake.tray.menu): FakeMenuItem {
    const parts = Array.isArray(path) ? path : [path];
    let items = menu?.items ?? [];
    let found: FakeMenuItem | undefined;
    for (const part of parts) {
      found = items.find((i) => (typeof part === 'string' ? i.label === part : part.test(i.label ?? '')));
      if (!found) throw new Error(`no menu item "${String(part)}" in: ${fake.menuLabels(new FakeMenu(items)).join(' | ')}`);
      items = found.submenu instanceof FakeMenu ? found.submenu.items : [];
    }
    return found!;
  },
  click(path: string | (string | RegExp)[]): void {
    const item = fake.menuItem(path);
    if (item.enabled === false) throw new Error(`menu item "${String(path)}" is disabled: ${fake.menuLabels().join(' | ')}`);
    if (!item.click) throw new Error(`menu item "${String(path)}" does nothing when clicked`);
    item.click();
  },
  /** An IPC call as the renderer would make it, from a window (its frame URL) or any URL. */
  async invoke(channel: string, args: unknown, from: FakeBrowserWindow | { url: string }): Promise<unknown> {
    const handler = ipcMain.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    const sender = from instanceof FakeBrowserWindow ? from.webContents : null;
    const url = from instanceof FakeBrowserWindow ? from.webContents.url : from.url;
    return handler({ sender: sender ?? new FakeWebContents(), senderFrame: { url } }, args);
  },
  reset(): void {
    fake.trays.length = 0;
    fake.notifications.length = 0;
    fake.windows.length = 0;
    fake.quit = false;
    app.removeAllListeners();
    app.loginItem = { openAtLogin: false, status: 'not-registered' };
    app.loginItemCalls.length = 0;
    app.quitCalls = 0;
    app.singleInstance = true;
    app.systemLocale = 'en-US';
    ipcMain.handlers.clear();
    powerMonitor.removeAllListeners();
    powerMonitor.onBattery = false;
    powerSaveBlocker.active.clear();
    powerSaveBlocker.log.length = 0;
    dialog.answers.length = 0;
    dialog.calls.length = 0;
    shell.opened.length = 0;
    shell.shown.length = 0;
  },
};

export default { app, ipcMain, powerMonitor, powerSaveBlocker, dialog, shell, Tray, Menu, Notification, BrowserWindow, nativeImage };
