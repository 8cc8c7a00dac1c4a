/**
 * Writes that land side by side: the temporary files of two atomic writes in the same millisecond,
 * and the owner's published waits when two of them change in a row (a power hold, then a disk wait).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/profiles/store.js';
import { Engine } from '../../src/engine.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-writes-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('takes many writes at once to one file: each succeeds, the file is whole, no temporary file is left', async () => {
    const file = path.join(dir, 'state.json');
    const texts = Array.from({ length: 40 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(1000 + i) }));
    await Promise.all(texts.map((t) => writeFileAtomic(file, t)));
    expect(texts).toContain(await fs.readFile(file, 'utf8'));
    expect(await fs.readdir(dir)).toEqual(['state.json']);
  });
});

describe('the waits the schedules owner publishes', () => {
  it('keep every change made in a row, in the order made', async () => {
    const configDir = path.join(dir, 'config');
    await fs.mkdir(configDir);
    const profile = (id: string) => ({
      id,
      repository: path.join(dir, `repo-${id}`),
      sources: [path.join(dir, 'src')],
      encryption: 'none',
    });
    await fs.writeFile(path.join(configDir, 'config.json'), JSON.stringify({ profiles: [profile('a'), profile('b'), profile('c')] }));
    const { engine } = await Engine.open({ configDir, secrets: new MemorySecretStore() });
    for (let round = 0; round < 20; round++) {
      engine.setHeldForPower('a', true);
      engine.setWaitingForVolume('b', true);
      engine.setRetry('c', { at: new Date(0).toISOString(), reason: 'test', failures: round + 1 });
      engine.setHeldForPower('a', false);
      engine.setHeldForPower('a', round % 2 === 0);
      engine.setWaitingForVolume('b', round % 2 === 1);
      const file = path.join(configDir, 'locks', 'waiting-for-volume.json');
      await expect
        .poll(async () => {
          const raw = JSON.parse(await fs.readFile(file, 'utf8').catch(() => '{}')) as Record<string, unknown>;
          return [raw.power, raw.waiting, (raw.retries as Record<string, { failures: number }> | undefined)?.c?.failures];
        })
        .toEqual([round % 2 === 0 ? ['a'] : [], round % 2 === 1 ? ['b'] : [], round + 1]);
      // Nothing later overwrites it with an older state.
      await new Promise((r) => setTimeout(r, 20));
      const raw = JSON.parse(await fs.readFile(file, 'utf8')) as { power: string[]; waiting: string[] };
      expect([raw.power, raw.waiting]).toEqual([round % 2 === 0 ? ['a'] : [], round % 2 === 1 ? ['b'] : []]);
    }
  });
});
