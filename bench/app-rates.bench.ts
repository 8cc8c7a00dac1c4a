/**
 * How often the menu bar redraws and how many IPC messages one window gets during a real backup of
 * a 20,000-file tree: the real main process against the recording fake of `electron`, real borg.
 * Goals: tray ≤ 2 redraws a second, a window ≤ 10 messages a second. Run: `npm run bench:app`.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it, vi } from 'vitest';
import { MemorySecretStore } from '../src/secrets/keyring.js';
import { CALL_PREFIX } from '../src/ipc/names.js';
// @ts-expect-error -- a plain .mjs helper shared with the other benchmarks
import { makeSmallFileTree } from './lib-tree.mjs';

vi.mock('electron', () => import('../test/fakes/electron/index.js'));
const { fake } = await import('../test/fakes/electron/index.js');
const { startApp, APP_ROOT } = await import('../electron/main.js');

const FILES = Number(process.env.BENCH_FILES ?? 20_000);

/** The most events in any one-second window, and the mean rate, from event times (ms). */
function rates(times: number[], from: number, to: number): { max: number; mean: number } {
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    max = Math.max(max, i - j + 1);
  }
  return { max, mean: times.length / ((to - from) / 1000) };
}

it(`tray redraws and window messages per second during a ${FILES}-file backup`, async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-bench-app-'));
  process.env.BORG_BASE_DIR = path.join(dir, 'borg-base');
  const src = path.join(dir, 'src');
  const repo = path.join(dir, 'repo');
  makeSmallFileTree(src, FILES);
  const configDir = path.join(dir, 'config');
  await fs.mkdir(configDir);
  await fs.writeFile(
    path.join(configDir, 'config.json'),
    JSON.stringify({
      app: { openAtLogin: false },
      profiles: [{ id: 'p', name: 'Bench', repository: repo, encryption: 'none', sources: [src], prune: null }],
    }),
  );
  const app = await startApp({
    configDir,
    log: () => {},
    platform: 'darwin',
    appRoot: APP_ROOT,
    fdaProbe: async () => 'granted',
    secrets: new MemorySecretStore(),
  });
  try {
    expect((await app.engine.init('p')).ok).toBe(true);
    fake.click('Open Dandelion');
    const win = fake.windows.at(-1)!;
    await fake.invoke(`${CALL_PREFIX}ready`, {}, win);
    await new Promise((r) => setTimeout(r, 1000));

    let logLines = 0;
    app.engine.on('log', (e) => (logLines += e.lines.length));
    const t0 = performance.now();
    const record = await app.engine.run('p', { trigger: 'manual' });
    const t1 = performance.now();
    await new Promise((r) => setTimeout(r, 700));
    const redraws = fake.tray.menuTimes;
    const messages = win.webContents.sent.map((m) => m.at);
    expect(record.result).toBe('success');
    const inRun = (ts: number[]) => ts.filter((t) => t >= t0 && t <= t1);
    const tr = rates(inRun(redraws), t0, t1);
    const ms = rates(inRun(messages), t0, t1);
    const rows = [
      ['files', String(record.stats?.nfiles ?? FILES)],
      ['run (s)', ((t1 - t0) / 1000).toFixed(1)],
      ['log lines from borg', String(logLines)],
      ['tray redraws: max in any 1 s (goal ≤ 2)', String(tr.max)],
      ['tray redraws: mean per s', tr.mean.toFixed(2)],
      ['window messages: max in any 1 s (goal ≤ 10)', String(ms.max)],
      ['window messages: mean per s', ms.mean.toFixed(2)],
    ];
    console.log(['| measure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n'));
    expect(tr.max).toBeLessThanOrEqual(2);
    expect(ms.max).toBeLessThanOrEqual(10);
  } finally {
    await app.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  }
}, 600_000);
