/**
 * The contract's gates: argument schemas (wrong types, unknown profiles, oversize strings, extra
 * fields), the dispatcher that answers with data and never throws, the sender check, and the
 * outbox that keeps a window at ≤10 messages a second and loses nothing sent before it was ready.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { argsSchemas, MAX_PASSPHRASE, MAX_STRING, type EventMessage } from '../../src/ipc/contract.js';
import { CALLS, isCallName } from '../../src/ipc/names.js';
import { Outbox } from '../../src/ipc/outbox.js';
import { ownWindowOf } from '../../src/ipc/sender.js';
import { createApi } from '../../src/ipc/client.js';
import { loginStateFrom } from '../../src/app/login.js';

const log = (lines: string[]): EventMessage => ({ event: 'log', payload: { profile: 'p', lines, dropped: 0 } });

const schemas = argsSchemas({ profileIds: new Set(['docs', 'offsite']) });
const valid = (name: keyof typeof schemas, args: unknown) => schemas[name].safeParse(args).success;

describe('argument schemas', () => {
  it('has one schema per call, and nothing else', () => {
    expect(Object.keys(schemas).sort()).toEqual([...CALLS].sort());
    expect(isCallName('status')).toBe(true);
    expect(isCallName('__proto__')).toBe(false);
    expect(isCallName(42)).toBe(false);
  });

  it('accepts the calls a window makes', () => {
    expect(valid('status', undefined)).toBe(true);
    expect(valid('status', {})).toBe(true);
    expect(valid('runNow', { profile: 'docs' })).toBe(true);
    expect(valid('runNow', { profile: 'all' })).toBe(true);
    expect(valid('logTail', { profile: 'offsite', lines: 200 })).toBe(true);
    expect(valid('doctor', { draft: { repository: 'ssh://u@h/r' } })).toBe(true);
    expect(valid('doctor', {})).toBe(true);
    expect(valid('hostKey', { host: '127.0.0.1', port: 2222 })).toBe(true);
    expect(valid('trustHostKey', { host: 'example.org', port: 22, fingerprint: 'SHA256:abc+/=' })).toBe(true);
    expect(valid('setPassphrase', { profile: 'docs', passphrase: 'x'.repeat(MAX_PASSPHRASE) })).toBe(true);
    expect(valid('previewSchedule', { schedule: '0 * * * *', count: 3 })).toBe(true);
    expect(valid('openWindow', { window: 'preferences', section: 'new-profile' })).toBe(true);
  });

  it('refuses wrong types, unknown profiles, oversize strings and extra fields', () => {
    expect(valid('runNow', { profile: 42 })).toBe(false);
    expect(valid('runNow', { profile: 'nope' })).toBe(false);
    expect(valid('runNow', {})).toBe(false);
    expect(valid('runNow', { profile: 'docs', extra: true })).toBe(false);
    expect(valid('status', { anything: 1 })).toBe(false);
    expect(valid('cancel', { profile: 'x'.repeat(65) })).toBe(false);
    expect(valid('logTail', { profile: 'docs', lines: 0 })).toBe(false);
    expect(valid('logTail', { profile: 'docs', lines: 1001 })).toBe(false);
    expect(valid('logTail', { profile: 'docs', lines: 2.5 })).toBe(false);
    expect(valid('setPassphrase', { profile: 'docs', passphrase: '' })).toBe(false);
    expect(valid('setPassphrase', { profile: 'docs', passphrase: '   ' })).toBe(false);
    expect(valid('setPassphrase', { profile: 'docs', passphrase: ' a ' })).toBe(true);
    expect(valid('setPassphrase', { profile: 'docs', passphrase: 'x'.repeat(MAX_PASSPHRASE + 1) })).toBe(false);
    expect(valid('pickFolder', { defaultPath: 'x'.repeat(MAX_STRING + 1) })).toBe(false);
    expect(valid('hostKey', { host: '-oProxyCommand=x', port: 22 })).toBe(false);
    expect(valid('hostKey', { host: 'h', port: 70000 })).toBe(false);
    expect(valid('hostKey', { host: 'h', port: 0 })).toBe(false);
    expect(valid('trustHostKey', { host: 'h', port: 22, fingerprint: 'MD5:aa:bb' })).toBe(false);
    expect(valid('openWindow', { window: 'devtools' })).toBe(false);
    expect(valid('previewSchedule', { schedule: 'x'.repeat(201) })).toBe(false);
    expect(valid('configSave', { config: { blob: 'x'.repeat(1_000_001) }, expectedRevision: 'absent' })).toBe(false);
    // A save names the revision it was drawn from: without one it is not accepted.
    expect(valid('configSave', { config: { profiles: [] } })).toBe(false);
    expect(valid('configSave', { config: { profiles: [] }, expectedRevision: 'absent' })).toBe(true);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(valid('configSave', { config: cyclic })).toBe(false);
    expect(valid('setLoginItem', { openAtLogin: 'yes' })).toBe(false);
  });
});

describe('the sender check', () => {
  const dir = '/Applications/Dandelion.app/Contents/Resources/app.asar/dist-renderer';
  it('knows our own pages, loaded from our renderer folder', () => {
    expect(ownWindowOf(`file://${dir}/status.html`, dir)).toBe('status');
    expect(ownWindowOf(`file://${dir}/preferences.html#passphrase`, dir)).toBe('preferences');
    expect(ownWindowOf(`file://localhost${dir}/status.html`, dir)).toBe('status');
  });
  it('refuses anything else', () => {
    for (const url of [
      'https://example.com/status.html',
      `https://localhost${dir}/status.html`,
      `file://server${dir}/status.html`,
      `file://${dir}/other.html`,
      `file:///tmp/status.html`,
      `file://${dir}/../status.html`,
      `file://evil.example/${dir}/status.html`,
      'about:blank',
      'not a url',
      '',
      null,
      undefined,
    ])
      expect(ownWindowOf(url, dir), String(url)).toBeNull();
  });
});

describe('the outbox', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('holds everything until the window is ready, then sends it in one batch', () => {
    const sent: EventMessage[][] = [];
    const box = new Outbox({ send: (b) => sent.push(b), now: () => Date.now() });
    box.push({ event: 'navigate', payload: { section: 'new-profile' } });
    box.push(log(['a', 'b']));
    vi.advanceTimersByTime(5000);
    expect(sent).toEqual([]);
    box.markReady();
    vi.advanceTimersByTime(0);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.map((m) => m.event)).toEqual(['navigate', 'log']);
  });

  it('sends at most 10 messages a second however much arrives, keeping the last lines and counting the rest', () => {
    const sent: EventMessage[][] = [];
    const box = new Outbox({ send: (b) => sent.push(b), now: () => Date.now() });
    box.markReady();
    let n = 0;
    for (let ms = 0; ms < 3000; ms++) {
      // 5,000 log lines and 100 progress updates a second.
      box.push(log([`line ${n++}`, `line ${n++}`, `line ${n++}`, `line ${n++}`, `line ${n++}`]));
      if (ms % 10 === 0)
        box.push({
          event: 'progress',
          payload: {
            profile: 'p',
            progress: {
              trigger: 'manual',
              startedAt: '',
              step: 'create',
              nfiles: ms,
              originalSize: 0,
              deduplicatedSize: 0,
              path: '',
              percent: null,
            },
          },
        });
      vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(200);
    // 3 s at one batch per 110 ms.
    expect(sent.length).toBeLessThanOrEqual(29);
    expect(sent.length).toBeGreaterThanOrEqual(26);
    const logs = sent.flatMap((b) => b.filter((m) => m.event === 'log')) as Extract<EventMessage, { event: 'log' }>[];
    const shown = logs.reduce((s, m) => s + m.payload.lines.length, 0);
    const dropped = logs.reduce((s, m) => s + m.payload.dropped, 0);
    expect(shown + dropped).toBe(n);
    expect(logs.every((m) => m.payload.lines.length <= 200)).toBe(true);
    expect(logs.at(-1)!.payload.lines.at(-1)).toBe(`line ${n - 1}`);
    // Only the newest progress goes out in each batch.
    expect(sent.every((b) => b.filter((m) => m.event === 'progress').length <= 1)).toBe(true);
  });

  it('keeps a finished run after its log lines and drops its stale progress; sends nothing once closed', () => {
    const sent: EventMessage[][] = [];
    const box = new Outbox({ send: (b) => sent.push(b), now: () => Date.now() });
    box.push({
      event: 'progress',
      payload: {
        profile: 'p',
        progress: {
          trigger: 'manual',
          startedAt: '',
          step: 'create',
          nfiles: 1,
          originalSize: 0,
          deduplicatedSize: 0,
          path: '',
          percent: null,
        },
      },
    });
    box.push(log(['last line']));
    box.push({ event: 'run-finished', payload: { profile: 'p' } as never });
    box.markReady();
    vi.advanceTimersByTime(0);
    expect(sent[0]!.map((m) => m.event)).toEqual(['log', 'run-finished']);
    box.close();
    box.push(log(['after']));
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(1);
  });
});

describe('the window API', () => {
  it('has one method per call plus on(), delivers batches to listeners and unsubscribes', async () => {
    const calls: [string, unknown][] = [];
    let deliver: (b: EventMessage[]) => void = () => {};
    const api = createApi(
      async (name, args) => {
        calls.push([name, args]);
        return { ok: true, value: {} };
      },
      (l) => (deliver = l),
    );
    for (const name of CALLS) expect(typeof api[name]).toBe('function');
    await api.runNow({ profile: 'docs' });
    await api.status();
    expect(calls).toEqual([
      ['runNow', { profile: 'docs' }],
      ['status', {}],
    ]);
    const got: string[][] = [];
    const off = api.on('log', (p) => got.push(p.lines));
    deliver([log(['x'])]);
    off();
    deliver([log(['y'])]);
    expect(got).toEqual([['x']]);
  });
});

describe('Open at Login', () => {
  it('shows macOS 13+ statuses, and nothing it cannot know elsewhere', () => {
    expect(loginStateFrom({ openAtLogin: true, status: 'requires-approval' }, 'darwin')).toEqual({
      openAtLogin: true,
      status: 'requires-approval',
    });
    expect(loginStateFrom({ openAtLogin: false, status: 'bogus' }, 'darwin')).toEqual({ openAtLogin: false, status: 'unknown' });
    for (const status of ['enabled', 'not-registered', 'not-found'] as const)
      expect(loginStateFrom({ openAtLogin: status === 'enabled', status }, 'darwin').status).toBe(status);
    expect(loginStateFrom({ openAtLogin: true, status: 'enabled' }, 'linux')).toEqual({ openAtLogin: true, status: 'unknown' });
  });
});
