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
    expect(valid('openWindow', { window: 'browse', profile: 'docs' })).toBe(true);
    expect(valid('listFolder', { profile: 'docs', archive: 'mbp-2026-12-03T10:00:00', folder: '' })).toBe(true);
    expect(valid('listFolder', { profile: 'docs', archive: 'latest', folder: 'home/me/Documents' })).toBe(true);
    expect(valid('find', { profile: 'docs', archive: 'a', pattern: '*.jpg' })).toBe(true);
    expect(valid('versions', { profile: 'docs', path: 'home/me/report.pdf' })).toBe(true);
    expect(
      valid('restore', { profile: 'docs', archive: 'a', paths: ['home/me/x'], mode: 'new-folder', target: '/Users/me/Downloads' }),
    ).toBe(true);
    expect(valid('restore', { profile: 'docs', archive: 'a', paths: [], mode: 'in-place' })).toBe(true);
    expect(valid('cancelOperation', { profile: 'offsite' })).toBe(true);
    expect(valid('showInFinder', { path: '/Users/me/Downloads/Restored from a' })).toBe(true);
  });

  it('refuses a browse or restore call that is not well-formed', () => {
    expect(valid('listFolder', { profile: 'docs', archive: '', folder: '' })).toBe(false);
    expect(valid('listFolder', { profile: 'docs', archive: 'x'.repeat(256), folder: '' })).toBe(false);
    expect(valid('listFolder', { profile: 'docs', archive: 'a' })).toBe(false);
    expect(valid('listFolder', { profile: 'nope', archive: 'a', folder: '' })).toBe(false);
    expect(valid('listFolder', { profile: 'docs', archive: 'a', folder: 'x'.repeat(MAX_STRING + 1) })).toBe(false);
    expect(valid('find', { profile: 'docs', archive: 'a', pattern: '' })).toBe(false);
    expect(valid('find', { profile: 'docs', archive: 'a', pattern: 'x'.repeat(1025) })).toBe(false);
    expect(valid('versions', { profile: 'docs', path: '' })).toBe(false);
    // A new folder needs the folder chosen; in place takes none; no other mode.
    expect(valid('restore', { profile: 'docs', archive: 'a', paths: ['x'], mode: 'new-folder' })).toBe(false);
    expect(valid('restore', { profile: 'docs', archive: 'a', paths: ['x'], mode: 'in-place', target: '/tmp' })).toBe(false);
    expect(valid('restore', { profile: 'docs', archive: 'a', paths: ['x'], mode: 'overwrite' })).toBe(false);
    expect(valid('restore', { profile: 'docs', archive: 'a', paths: 'x', mode: 'in-place' })).toBe(false);
    expect(valid('restore', { profile: 'docs', archive: 'a', paths: [42], mode: 'in-place' })).toBe(false);
    expect(valid('restore', { profile: 'docs', archive: 'a', paths: Array(100_001).fill('x'), mode: 'in-place' })).toBe(false);
    expect(valid('restore', { profile: 'docs', archive: 'a', paths: [], mode: 'in-place', busy: 'fail' })).toBe(false);
    expect(valid('cancelOperation', {})).toBe(false);
    // Check Now and Prove Restorable name a profile that exists, and nothing else (never --repair, never a path).
    expect(valid('check', { profile: 'offsite' })).toBe(true);
    expect(valid('drill', { profile: 'docs' })).toBe(true);
    expect(valid('check', {})).toBe(false);
    expect(valid('check', { profile: 'nope' })).toBe(false);
    expect(valid('check', { profile: 'offsite', repair: true })).toBe(false);
    expect(valid('drill', { profile: 'docs', archive: 'a' })).toBe(false);
    expect(valid('showInFinder', {})).toBe(false);
    expect(valid('openWindow', { window: 'browse', profile: 'x'.repeat(65) })).toBe(false);
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
    expect(ownWindowOf(`file://${dir}/browse.html`, dir)).toBe('browse');
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

  it('gathers the entries a folder streams while its archive is first read, by folder, the later entry for a path winning', () => {
    const sent: EventMessage[][] = [];
    const box = new Outbox({ send: (b) => sent.push(b), now: () => Date.now() });
    const e = (name: string, size: number) => ({ name, path: `home/${name}`, type: 'file' as const, size, mtime: null });
    const part = (folder: string, ...entries: ReturnType<typeof e>[]): EventMessage => ({
      event: 'folder-partial',
      payload: { profile: 'p', archive: 'a', folder, entries },
    });
    box.push(part('home', e('x', 1), e('y', 1)));
    box.push(part('home', e('x', 2)));
    box.push(part('', e('home', 0)));
    box.markReady();
    vi.advanceTimersByTime(0);
    expect(sent[0]).toEqual([part('home', e('x', 2), e('y', 1)), part('', e('home', 0))]);
    // Sent once: the next batch holds only what came after.
    box.push(part('home', e('z', 1)));
    vi.advanceTimersByTime(200);
    expect(sent[1]).toEqual([part('home', e('z', 1))]);
  });

  it('keeps the latest figures of a restore per profile, and drops them once its record arrives', () => {
    const sent: EventMessage[][] = [];
    const box = new Outbox({ send: (b) => sent.push(b), now: () => Date.now() });
    const figures = (profile: string, nfiles: number): EventMessage => ({
      event: 'op-progress',
      payload: { profile, progress: { kind: 'restore', archive: 'a', percent: null, nfiles, bytes: 0, path: '' } },
    });
    box.push(figures('p', 1));
    box.push(figures('p', 2));
    box.push(figures('q', 7));
    box.markReady();
    vi.advanceTimersByTime(0);
    expect(sent[0]).toEqual([figures('p', 2), figures('q', 7)]);
    box.push(figures('p', 3));
    box.push({ event: 'op-finished', payload: { kind: 'restore', profile: 'p' } as never });
    vi.advanceTimersByTime(200);
    expect(sent[1]!.map((m) => m.event)).toEqual(['op-finished']);
    // Held while not ready, like a run's record.
    const late = new Outbox({ send: (b) => sent.push(b), now: () => Date.now() });
    late.push({ event: 'op-finished', payload: { kind: 'check', profile: 'p' } as never });
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(2);
    late.markReady();
    vi.advanceTimersByTime(0);
    expect(sent[2]!.map((m) => m.event)).toEqual(['op-finished']);
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

describe('restoring through the dispatcher', () => {
  it('restores into a new folder only inside a folder the user chose in the open panel, and shows only what a restore made', async () => {
    const { createDispatcher } = await import('../../src/ipc/handlers.js');
    const { fakeHost } = await import('../helpers/host.js');
    const fs = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const chosen = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-ipc-'));
    const made = path.join(chosen, 'Restored from a');
    await fs.mkdir(made);
    const restore = vi.fn(async () => ({
      ok: true as const,
      value: { record: {} as never, folder: made, files: 1, bytes: 1, keptBoth: [], identical: 0 },
    }));
    const engine = { config: { profiles: [{ id: 'docs' }] }, restore } as never;
    const host = fakeHost({ pickFolder: async () => chosen });
    const dispatch = createDispatcher({ engine, host });
    try {
      const refused = await dispatch('restore', { profile: 'docs', archive: 'a', paths: ['x'], mode: 'new-folder', target: '/etc' });
      expect(refused).toMatchObject({ ok: false, diagnosis: { kind: 'invalid-request' } });
      expect(restore).not.toHaveBeenCalled();

      expect(await dispatch('pickFolder', { title: 'Choose where to restore' })).toEqual({ ok: true, value: { path: chosen } });
      const done = await dispatch('restore', { profile: 'docs', archive: 'a', paths: ['x'], mode: 'new-folder', target: `${chosen}/` });
      expect(done.ok).toBe(true);
      expect(restore).toHaveBeenCalledWith('docs', { archive: 'a', paths: ['x'], target: chosen, mode: 'new-folder', busy: 'wait' });

      expect(await dispatch('showInFinder', { path: '/etc' })).toEqual({ ok: true, value: { shown: false } });
      expect(await dispatch('showInFinder', { path: made })).toEqual({ ok: true, value: { shown: true } });
      expect(host.calls.filter((c) => c.method === 'showItemInFolder')).toEqual([{ method: 'showItemInFolder', args: [made] }]);
      // Gone since: nothing to show.
      await fs.rm(made, { recursive: true });
      expect(await dispatch('showInFinder', { path: made })).toEqual({ ok: true, value: { shown: false } });
    } finally {
      await fs.rm(chosen, { recursive: true, force: true });
    }
  });
});
