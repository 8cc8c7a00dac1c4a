/**
 * Monitoring URLs carry their check's secret (a Healthchecks UUID, a Kuma push token, an ntfy topic
 * is a password), so they never cross IPC to a window: the main process hands a window each saved
 * URL as a token `sealed:<host>:<nonce>` and puts the URL back when the window saves (or tests) it.
 * The window shows the host; to change a URL the user types a new one. A token this process did not
 * make stays a token, and the schema refuses it (not an http(s) URL): nothing is guessed.
 */
import { randomBytes } from 'node:crypto';
import { monitorHost } from './requests.js';
import { SEALED as TOKEN } from '../ipc/monitor-url.js';

export { sealedHost } from '../ipc/monitor-url.js';
const FIELDS = ['pingUrl', 'ntfyUrl'] as const;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class UrlSeal {
  private readonly urls = new Map<string, string>();
  private readonly tokens = new Map<string, string>();

  /** The same URL always gets the same token in one process, so a window's drafts compare equal. */
  seal(url: string): string {
    let token = this.tokens.get(url);
    if (!token) {
      token = `sealed:${monitorHost(url)}:${randomBytes(8).toString('hex')}`;
      this.tokens.set(url, token);
      this.urls.set(token, url);
    }
    return token;
  }

  unseal(v: unknown): unknown {
    return typeof v === 'string' && TOKEN.test(v) ? (this.urls.get(v) ?? v) : v;
  }

  /** A config (as JSON) with every profile's monitor URLs sealed; other values untouched (a copy). */
  sealConfig<T>(config: T): T {
    return this.map(config, (v) => (typeof v === 'string' && v !== '' && !TOKEN.test(v) ? this.seal(v) : v));
  }

  unsealConfig<T>(config: T): T {
    return this.map(config, (v) => this.unseal(v));
  }

  private map<T>(config: T, f: (v: unknown) => unknown): T {
    if (!isObject(config) || !Array.isArray(config.profiles)) return config;
    const profiles = config.profiles.map((p: unknown) => {
      if (!isObject(p) || !isObject(p.monitor)) return p;
      const monitor: Json = { ...p.monitor };
      for (const k of FIELDS) if (k in monitor) monitor[k] = f(monitor[k]);
      return { ...p, monitor };
    });
    return { ...config, profiles } as T;
  }
}
