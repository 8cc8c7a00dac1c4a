import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { axeCheck, openWindow, screenshot, type OpenedWindow } from './harness.js';

let sb: Sandbox;
let w: OpenedWindow | null = null;

beforeEach(async () => {
  sb = await sandbox('dandelion-status-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
});
afterEach(async () => {
  await w?.close();
  w = null;
  await sb.cleanup();
});

describe('status window', () => {
  it('shows the profile count', async () => {
    const src = path.join(sb.dir, 'src');
    await makeTree(src, 5);
    await writeConfig(sb.configDir, { profiles: [{ id: 'p', repository: path.join(sb.dir, 'repo'), sources: [src], encryption: 'none' }] });
    w = await openWindow('status', { configDir: sb.configDir });
    await expect.poll(() => w!.page.textContent('main')).toBe('1 profiles');
    await screenshot(w.page, 'smoke');
    await axeCheck(w.page);
    expect(w.pageErrors).toEqual([]);
  });
});
