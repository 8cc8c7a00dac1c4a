/**
 * Monitoring, pure parts: the schema's monitor field, the requests each service gets (Healthchecks,
 * Uptime Kuma, ntfy), which signal a run sends, the 10 KB UTF-8 cut, retries and their words (never
 * the URL), and the sealed tokens that stand for saved URLs in the windows.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/profiles/schema.js';
import { isKumaPush, monitorHost, ntfyRequest, pingRequest } from '../../src/monitor/requests.js';
import { BODY_MAX_BYTES, overdueWords, runBody, runSentence, signalFor, tailUtf8 } from '../../src/monitor/report.js';
import { failureWords, sendPing } from '../../src/monitor/send.js';
import { UrlSeal, sealedHost } from '../../src/monitor/seal.js';
import { stateFromJson } from '../../src/monitor/state.js';
import { argsSchemas } from '../../src/ipc/contract.js';
import { shownUrl } from '../../src/ipc/monitor-url.js';
import type { RunRecord, RunResult } from '../../src/records.js';
import type { Diagnosis, ErrorKind } from '../../src/diagnosis.js';

const SECRET = '5ec12e7-aaaa-4bbb-8ccc-0123456789ab';
const minimal = { id: 'docs', repository: '/Volumes/backup-disk/repo', sources: ['~/Documents'] };

function problems(extra: Record<string, unknown>): string[] {
  const r = parseConfig({ profiles: [{ ...minimal, ...extra }] });
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
}

function record(result: RunResult, kinds: ErrorKind[] = [], extra: Partial<RunRecord> = {}): RunRecord {
  const diagnoses: Diagnosis[] = kinds.map((kind) => ({
    kind,
    message: `The ${kind} happened. More words here.`,
    fix: `Fix the ${kind}.`,
  }));
  return {
    profile: 'docs',
    trigger: 'schedule',
    startedAt: '2026-12-02T20:52:00.000Z',
    finishedAt: '2026-12-02T20:53:00.000Z',
    result,
    archive: 'mbp-docs_2026-12-02',
    stats: { originalSize: 2048, compressedSize: 1024, deduplicatedSize: 512, nfiles: 1, durationSeconds: 3 },
    message: diagnoses[0]?.message ?? null,
    diagnoses,
    log: null,
    ...extra,
  };
}

describe('the monitor field of a profile', () => {
  it('is optional, null, or URLs over http or https (null = none)', () => {
    const parsed = (extra: Record<string, unknown>) => {
      const r = parseConfig({ profiles: [{ ...minimal, ...extra }] });
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      return r.config.profiles[0]!.monitor;
    };
    expect(parsed({})).toBeUndefined();
    expect(parsed({ monitor: null })).toBeNull();
    expect(parsed({ monitor: {} })).toEqual({ pingUrl: null, ntfyUrl: null });
    expect(parsed({ monitor: { pingUrl: `https://hc-ping.com/${SECRET}`, ntfyUrl: 'http://ntfy.lan:8080/backups' } })).toEqual({
      pingUrl: `https://hc-ping.com/${SECRET}`,
      ntfyUrl: 'http://ntfy.lan:8080/backups',
    });
  });

  it('refuses other schemes and non-URLs with a field error that never repeats the URL', () => {
    for (const bad of [
      `ftp://hc-ping.com/${SECRET}`,
      `file:///tmp/${SECRET}`,
      `hc-ping.com/${SECRET}`,
      `javascript:${SECRET}`,
      'https://',
    ]) {
      const found = problems({ monitor: { pingUrl: bad, ntfyUrl: null } });
      expect(found).toEqual(['profiles[0].monitor.pingUrl: must be an http:// or https:// URL (e.g. https://hc-ping.com/…)']);
      expect(found.join()).not.toContain(SECRET);
    }
    expect(problems({ monitor: { ntfyUrl: 42 } })).toEqual(['profiles[0].monitor.ntfyUrl: must be an http:// or https:// URL, or null']);
    expect(problems({ monitor: 'https://hc-ping.com/x' })[0]).toMatch(/^profiles\[0\]\.monitor: must be an object like/);
    expect(problems({ monitor: { pingUrl: null, slug: 'x' } })).toEqual(['profiles[0].monitor: unknown field(s) slug']);
  });
});

describe('the requests each service gets', () => {
  it('Healthchecks: /start, the plain URL, /fail as POSTs with the body; a query stays a query', () => {
    const base = `https://hc-ping.com/${SECRET}`;
    expect(pingRequest(base, 'start', '', 's')).toMatchObject({ url: `${base}/start`, method: 'POST' });
    expect(pingRequest(base, 'success', 'ok body', 's')).toMatchObject({ url: base, method: 'POST', body: 'ok body' });
    expect(pingRequest(`${base}/`, 'fail', 'log', 's')).toMatchObject({ url: `${base}/fail`, body: 'log' });
    expect(pingRequest(`https://hc.example/ping/KEY/backup-slug?create=1`, 'fail', '', 's')!.url).toBe(
      'https://hc.example/ping/KEY/backup-slug/fail?create=1',
    );
  });

  it('Uptime Kuma push URLs: no start, up/down with a short msg, never a body', () => {
    const kuma = `https://kuma.example:3001/api/push/${SECRET}?status=up&msg=OK&ping=`;
    expect(isKumaPush(kuma)).toBe(true);
    expect(isKumaPush(`https://hc-ping.com/${SECRET}`)).toBe(false);
    expect(pingRequest(kuma, 'start', 'x', 'started')).toBeNull();
    const fail = pingRequest(kuma, 'fail', 'a long log', 'Documents: backup failed. Wrong passphrase.')!;
    const u = new URL(fail.url);
    expect(fail.method).toBe('GET');
    expect(fail.body).toBeUndefined();
    expect(u.pathname).toBe(`/api/push/${SECRET}`);
    expect(u.searchParams.get('status')).toBe('down');
    expect(u.searchParams.get('msg')).toBe('Documents: backup failed. Wrong passphrase.');
    expect(u.searchParams.has('ping')).toBe(false);
    expect(new URL(pingRequest(kuma, 'success', '', 'saved')!.url).searchParams.get('status')).toBe('up');
  });

  it('ntfy: title and priority in the query (any script), one sentence as the body', () => {
    const r = ntfyRequest('https://ntfy.sh/my-topic', 'Fotos – Ärger: backup failed', 'One sentence.\nNot two lines.');
    const u = new URL(r.url);
    expect(r.method).toBe('POST');
    expect(u.pathname).toBe('/my-topic');
    expect(u.searchParams.get('title')).toBe('Fotos – Ärger: backup failed');
    expect(u.searchParams.get('priority')).toBe('high');
    expect(r.body).toBe('One sentence. Not two lines.');
    expect(Object.keys(r.headers ?? {})).toEqual(['content-type']);
  });

  it('shows only the host', () => {
    expect(monitorHost(`https://user:pw@hc-ping.com:8443/${SECRET}?x=1`)).toBe('hc-ping.com:8443');
    expect(monitorHost('not a url')).toBe('an unknown host');
    expect(shownUrl(`https://user:pw@hc-ping.com/${SECRET}?k=${SECRET}`)).toBe('https://hc-ping.com/…');
  });
});

describe('which signal a run sends (the engine’s own verdict)', () => {
  it('success and a warning that saved the sources ping success; a hollow backup, an error, an interrupted run fail; cancel and skip send nothing', () => {
    expect(signalFor(record('success'))).toBe('success');
    expect(signalFor(record('warning', ['source-permission']))).toBe('success');
    expect(signalFor(record('warning', ['prune-failed']))).toBe('success');
    expect(signalFor(record('warning', ['hollow-backup']))).toBe('fail');
    expect(signalFor(record('error', ['passphrase-wrong']))).toBe('fail');
    expect(signalFor(record('interrupted', ['interrupted']))).toBe('fail');
    expect(signalFor(record('cancelled', ['cancelled']))).toBeNull();
    expect(signalFor(record('skipped'))).toBeNull();
  });

  it('says one sentence: the first of the diagnosis, or what was saved', () => {
    expect(runSentence(record('error', ['passphrase-wrong']))).toBe('The passphrase-wrong happened.');
    expect(runSentence(record('success'))).toBe('Saved mbp-docs_2026-12-02: 1 file, 2.0 kB, 512 B new.');
    expect(overdueWords('Documents', null).sentence).toBe('Backups of Documents are overdue: no backup has worked yet.');
  });
});

describe('the body of a failure', () => {
  it('cuts to the last 10,000 bytes on a character boundary, with a note, at a line start', () => {
    const line = (i: number) => `${i} grüße 日本語 🎉 ${'x'.repeat(i % 7)}`;
    const text = Array.from({ length: 2000 }, (_, i) => line(i)).join('\n');
    for (const max of [10_000, 9_999, 9_998, 9_997, 501]) {
      const cut = tailUtf8(text, max);
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(max);
      expect(cut).not.toContain('\uFFFD');
      expect(cut.startsWith('[earlier lines left out]\n')).toBe(true);
      expect(cut.endsWith(line(1999))).toBe(true);
      expect(cut.split('\n')[1]).toMatch(/^\d+ grüße/);
    }
    expect(tailUtf8('short', 10)).toBe('short');
  });

  it('holds the diagnosis and the end of a huge log within 10 KB; a success holds no log', () => {
    const log = Array.from({ length: 5000 }, (_, i) => `2026-12-02T20:52:${i} ERROR line ${i} ünïcödé`);
    const body = runBody('Documents', record('error', ['repo-missing']), log);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(BODY_MAX_BYTES);
    expect(body.startsWith('Documents: backup failed (schedule, started')).toBe(true);
    expect(body).toContain('The repo-missing happened. More words here. Fix the repo-missing.');
    expect(body).toContain('--- end of the run log ---');
    expect(body.endsWith(log.at(-1)!)).toBe(true);
    const ok = runBody('Documents', record('success'), log);
    expect(ok).not.toContain('ERROR line');
  });
});

describe('sending', () => {
  const fast = { timeoutMs: 50, retries: 3, backoffMs: 1 };
  const req = { url: `http://127.0.0.1:9/ping/${SECRET}`, method: 'POST' as const, body: 'b' };

  it('retries a 500 three times, a 404 never, and answers with the host only', async () => {
    let calls = 0;
    const five = await sendPing(req, { ...fast, fetch: (async () => (calls++, new Response('no', { status: 500 }))) as typeof fetch });
    expect(calls).toBe(4);
    expect(five).toEqual({ ok: false, host: '127.0.0.1:9', attempts: 4, how: 'answered HTTP 500', status: 500 });
    calls = 0;
    const four = await sendPing(req, { ...fast, fetch: (async () => (calls++, new Response('', { status: 404 }))) as typeof fetch });
    expect([calls, four.attempts, four.how]).toEqual([1, 1, 'answered HTTP 404']);
    calls = 0;
    const later = await sendPing(req, {
      ...fast,
      fetch: (async () => (++calls < 3 ? new Response('', { status: 503 }) : new Response('OK'))) as typeof fetch,
    });
    expect(later).toMatchObject({ ok: true, attempts: 3 });
  });

  it('words a network error from its code alone, never from a message that quotes the URL', async () => {
    const refused = Object.assign(new TypeError(`fetch failed for ${req.url}`), { cause: { code: 'ECONNREFUSED', message: req.url } });
    const r = await sendPing(req, { ...fast, fetch: (async () => Promise.reject(refused)) as typeof fetch });
    expect(r).toMatchObject({ ok: false, attempts: 4, how: 'refused the connection' });
    expect(JSON.stringify(r)).not.toContain(SECRET);
    const timeout = Object.assign(new Error(`timed out ${req.url}`), { name: 'TimeoutError' });
    expect(failureWords(timeout, 10_000)).toBe('did not answer within 10 s');
    expect(failureWords(new Error(req.url), 10_000)).toBe('could not be reached');
  });
});

describe('sealed URLs (what a window gets instead)', () => {
  it('stands for a saved URL by its host, the same token for the same URL, and comes back as the URL', () => {
    const seal = new UrlSeal();
    const url = `https://hc-ping.com/${SECRET}`;
    const config = { version: 1, profiles: [{ id: 'a', monitor: { pingUrl: url, ntfyUrl: null } }, { id: 'b' }] };
    const sealed = seal.sealConfig(config);
    const token = sealed.profiles[0]!.monitor!.pingUrl!;
    expect(JSON.stringify(sealed)).not.toContain(SECRET);
    expect(sealedHost(token)).toBe('hc-ping.com');
    expect(sealed.profiles[1]).toEqual({ id: 'b' });
    expect(seal.sealConfig(config).profiles[0]!.monitor!.pingUrl).toBe(token);
    expect(seal.unsealConfig(sealed)).toEqual(config);
    // A token this process never made stays a token (the schema then refuses it).
    expect(new UrlSeal().unseal(token)).toBe(token);
    expect(parseConfig({ profiles: [{ ...minimal, monitor: { pingUrl: token } }] }).ok).toBe(false);
  });

  it('the test call takes http(s) URLs or tokens only', () => {
    const schema = argsSchemas({ profileIds: new Set(['a']) }).testMonitor;
    expect(schema.safeParse({ profile: 'a', pingUrl: 'https://hc-ping.com/x', ntfyUrl: null }).success).toBe(true);
    expect(schema.safeParse({ profile: null, pingUrl: 'sealed:hc-ping.com:0123456789abcdef', ntfyUrl: null }).success).toBe(true);
    expect(schema.safeParse({ profile: null, pingUrl: 'file:///etc/passwd', ntfyUrl: null }).success).toBe(false);
    expect(schema.safeParse({ profile: 'zz', pingUrl: null, ntfyUrl: null }).success).toBe(false);
  });
});

describe('state/monitor.json', () => {
  it('keeps only the fields it knows from whatever the file holds', () => {
    expect(
      stateFromJson({
        profiles: { a: { last: { lastPing: 'x', ok: true, host: 'h', url: 'https://leak' }, overduePinged: 'never' }, b: 7 },
      }),
    ).toEqual({ profiles: { a: { last: { lastPing: 'x', ok: true, host: 'h' }, overduePinged: 'never' }, b: {} } });
    expect(stateFromJson('junk')).toEqual({ profiles: {} });
  });
});
