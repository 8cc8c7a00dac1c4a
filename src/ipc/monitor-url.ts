/**
 * Monitoring URLs as text, with no dependencies (the windows import this too): is it an http(s) URL,
 * and is it the token a saved URL is shown as in a window (`sealed:<host>:<nonce>`, see src/monitor/seal.ts).
 */
export const SEALED = /^sealed:(.+):([0-9a-f]{16})$/;

export function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** The host a sealed token stands for, or null when the value is not one. */
export function sealedHost(v: unknown): string | null {
  return typeof v === 'string' ? (SEALED.exec(v)?.[1] ?? null) : null;
}

/** The host (and port) of a URL, or null when it is none. */
export function urlHost(v: string): string | null {
  try {
    return new URL(v).host || null;
  } catch {
    return null;
  }
}

/**
 * A monitoring URL as it may be shown anywhere (a report, a printed profile): scheme and host, the
 * secret path and query left out: "https://hc-ping.com/…".
 */
export function shownUrl(v: string): string {
  try {
    const u = new URL(v);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(not a URL)';
  }
}
