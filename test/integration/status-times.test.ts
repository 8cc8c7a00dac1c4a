/** The CLI's text output says times in local words; its JSON keeps ISO. Through the built CLI and a real daemon. */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dandelion, makeTree, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';
import { DaemonProcess } from '../helpers/daemon.js';

let sb: Sandbox;

beforeAll(async () => {
  sb = await sandbox('dandelion-status-times-');
  const src = path.join(sb.dir, 'src');
  await makeTree(src, 3);
  await writeConfig(sb.configDir, {
    profiles: [{ id: 'p', repository: path.join(sb.dir, 'repo'), encryption: 'none', sources: [src], prune: null, schedule: '0 3 * * *' }],
  });
});

afterAll(async () => {
  await sb?.cleanup();
});

describe('status', () => {
  it('says since when the daemon runs the schedules in local words in text, and as ISO in JSON', async () => {
    const daemon = new DaemonProcess(sb, { TZ: 'UTC' });
    try {
      await daemon.waitFor(/next scheduled run|following it|watching/i, { timeoutMs: 30_000 }).catch(() => '');
      let text = '';
      for (let i = 0; i < 100 && !/Schedules and disk triggers/.test(text); i++) {
        text = (await dandelion(sb, ['status'], { env: { TZ: 'Pacific/Auckland', LC_ALL: 'en_GB.UTF-8' } })).stdout;
        if (!/Schedules and disk triggers/.test(text)) await new Promise((r) => setTimeout(r, 100));
      }
      const json = JSON.parse((await dandelion(sb, ['status', '--json'])).stdout) as { scheduler: { since: string } };
      const since = new Date(json.scheduler.since);
      expect(json.scheduler.since).toBe(since.toISOString());
      const hm = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Pacific/Auckland',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(since);
      expect(text).toMatch(new RegExp(`Schedules and disk triggers: dandelion daemon \\(pid \\d+\\), since (today|yesterday) at ${hm}\\.`));
      expect(text).not.toMatch(/\d{4}-\d\d-\d\dT/);
    } finally {
      await daemon.stop();
    }
  }, 60_000);
});
