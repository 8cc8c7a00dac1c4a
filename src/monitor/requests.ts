/**
 * The HTTP requests a monitoring URL gets, pure. One scheme for the checks people use with borg:
 * healthchecks.io and self-hosted Healthchecks take `<url>/start`, `<url>` (success) and `<url>/fail`
 * with the log as the body (POST); an Uptime Kuma push URL (`/api/push/<token>`) takes a GET with
 * `status=up|down` and a short `msg` (it has no start signal, and no body). An ntfy topic URL takes a
 * POST whose body is the message; its title and priority go in the query (ntfy reads `title` and
 * `priority` there too), so a profile name outside Latin-1 is never put in a header.
 */

export type PingKind = 'start' | 'success' | 'fail' | 'log';

export interface PingRequest {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
}

/** The host (and port) of a URL: all of it a log, status or window may show. */
export function monitorHost(url: string): string {
  try {
    return new URL(url).host || 'an unknown host';
  } catch {
    return 'an unknown host';
  }
}

/** Uptime Kuma's push monitors: `https://kuma.example/api/push/<token>?status=up&msg=OK&ping=`. */
export function isKumaPush(url: string): boolean {
  try {
    return /\/api\/push\/[^/]+\/?$/.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

/** Kuma shows `msg` in its list of heartbeats: one line, short. */
const KUMA_MSG_MAX = 200;

/**
 * The request for one signal, or null when the service has no such signal (Kuma has no start, and
 * no log-only ping). `body` is what a Healthchecks check stores with the ping; `summary` the one line
 * Kuma shows.
 */
export function pingRequest(base: string, kind: PingKind, body: string, summary: string): PingRequest | null {
  const u = new URL(base);
  if (isKumaPush(base)) {
    if (kind === 'start' || kind === 'log') return null;
    u.searchParams.set('status', kind === 'fail' ? 'down' : 'up');
    u.searchParams.set('msg', oneLine(summary, KUMA_MSG_MAX));
    // Kuma's own URL ends in `ping=` (a response time); an empty one would be stored as 0 ms.
    if (u.searchParams.get('ping') === '') u.searchParams.delete('ping');
    return { url: u.toString(), method: 'GET' };
  }
  if (kind !== 'success') u.pathname = `${u.pathname.replace(/\/+$/, '')}/${kind}`;
  return { url: u.toString(), method: 'POST', body, headers: { 'content-type': 'text/plain; charset=utf-8' } };
}

/** An ntfy message: the title, one sentence, priority high (a failure), never the log. */
export function ntfyRequest(topic: string, title: string, sentence: string, priority: 'high' | 'default' = 'high'): PingRequest {
  const u = new URL(topic);
  u.searchParams.set('title', oneLine(title, 120));
  u.searchParams.set('priority', priority);
  u.searchParams.set('tags', priority === 'high' ? 'warning' : 'information_source');
  return { url: u.toString(), method: 'POST', body: oneLine(sentence, 500), headers: { 'content-type': 'text/plain; charset=utf-8' } };
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
