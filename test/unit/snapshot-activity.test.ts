import { describe, expect, it } from 'vitest';
import { SnapshotInputs, type SnapshotSources } from '../../src/engine/snapshot-inputs.js';
import type { ActivityLine } from '../../src/activity.js';

function inputs() {
  const reads: string[] = [];
  let n = 0;
  const src = {
    activity: async (profile: string, repository: string): Promise<ActivityLine[]> => {
      reads.push(`${profile}@${repository}`);
      n++;
      return [
        {
          kind: 'check',
          result: 'success',
          at: `t${n}`,
          startedAt: `t${n}`,
          tone: 'ok',
          text: 'Check found no damage',
          diagnosis: null,
          archive: null,
          log: null,
        },
      ];
    },
  } as unknown as SnapshotSources;
  return { reads, i: new SnapshotInputs(src) };
}

describe('recent activity in the snapshot', () => {
  it('is read every time while nothing watches the files', async () => {
    const { reads, i } = inputs();
    await i.activity('p', '/r');
    await i.activity('p', '/r');
    expect(reads).toEqual(['p@/r', 'p@/r']);
  });

  it('is kept while the files are watched, and read again once a record of that profile lands (a backup or an operation)', async () => {
    const { reads, i } = inputs();
    i.live = true;
    const first = await i.activity('p', '/r');
    await i.activity('q', '/s');
    expect(await i.activity('p', '/r')).toBe(first);
    expect(reads).toEqual(['p@/r', 'q@/s']);
    i.operationsChanged('p');
    expect((await i.activity('p', '/r'))[0]!.at).toBe('t3');
    await i.activity('q', '/s');
    expect(reads).toEqual(['p@/r', 'q@/s', 'p@/r']);
    i.historyChanged('q');
    await i.activity('q', '/s');
    await i.activity('p', '/r');
    expect(reads).toEqual(['p@/r', 'q@/s', 'p@/r', 'q@/s']);
    i.historyChanged();
    await i.activity('p', '/r');
    i.operationsChanged();
    await i.activity('q', '/s');
    expect(reads).toEqual(['p@/r', 'q@/s', 'p@/r', 'q@/s', 'p@/r', 'q@/s']);
  });
});
