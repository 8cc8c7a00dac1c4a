/**
 * One request to a monitoring service with Node's own fetch: a time limit per attempt, a few
 * retries with a growing pause, and an answer that names only the host. Nothing here throws, and no
 * text that could hold the URL (fetch's own error messages) leaves this file: only a cause code.
 */
import { monitorHost, type PingRequest } from './requests.js';

export interface SendOptions {
  /** Per attempt (10 s). */
  timeoutMs: number;
  /** Attempts after the first (at most 3). */
  retries: number;
  /** Pause before retry n (1-based): backoffMs × 2^(n-1). */
  backoffMs: number;
  /** Stops retrying (not the attempt in flight): the process is leaving. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export const SEND_DEFAULTS: SendOptions = { timeoutMs: 10_000, retries: 3, backoffMs: 2_000 };

export interface SendResult {
  ok: boolean;
  host: string;
  attempts: number;
  /** How the last attempt ended, in words: "answered 200", "timed out after 10 s", "refused the connection". */
  how: string;
  status?: number;
}

/** 4xx other than 408/429 will not change on a retry: the URL is wrong (404) or refused. */
function worthRetry(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

export async function sendPing(req: PingRequest, opts: SendOptions = SEND_DEFAULTS): Promise<SendResult> {
  const host = monitorHost(req.url);
  const doFetch = opts.fetch ?? fetch;
  let last: SendResult = { ok: false, host, attempts: 0, how: 'was not tried' };
  for (let attempt = 1; attempt <= 1 + Math.max(0, Math.min(3, opts.retries)); attempt++) {
    if (attempt > 1) {
      if (opts.signal?.aborted) break;
      await pause(opts.backoffMs * 2 ** (attempt - 2), opts.signal);
      if (opts.signal?.aborted) break;
    }
    try {
      const res = await doFetch(req.url, {
        method: req.method,
        body: req.body,
        headers: req.headers,
        signal: AbortSignal.timeout(opts.timeoutMs),
        redirect: 'follow',
      });
      // The answer is read (and dropped) so the connection is freed; its text is never shown.
      await res.arrayBuffer().catch(() => undefined);
      last = { ok: res.ok, host, attempts: attempt, how: `answered HTTP ${res.status}`, status: res.status };
      if (res.ok || !worthRetry(res.status)) return last;
    } catch (err) {
      last = { ok: false, host, attempts: attempt, how: failureWords(err, opts.timeoutMs) };
    }
  }
  return last;
}

/** fetch's error in words, from its name and cause code only (its message may quote the URL). */
export function failureWords(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError' || e?.cause?.code === 'UND_ERR_HEADERS_TIMEOUT')
    return `did not answer within ${Math.round(timeoutMs / 100) / 10} s`;
  switch (e?.cause?.code) {
    case 'ECONNREFUSED':
      return 'refused the connection';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'could not be found (DNS)';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'closed the connection';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'cannot be reached from this network';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'has a certificate this computer does not trust';
    default:
      return e?.cause?.code ? `could not be reached (${e.cause.code})` : 'could not be reached';
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    t.unref?.();
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
