import { describe, expect, it } from 'vitest';
import { checkpointOf } from '../../src/jobs/checkpoint.js';
import { checkpointListArgs } from '../../src/borg/argv.js';
import { featuresFor } from '../../src/borg/features.js';
import { parseVersion } from '../../src/borg/locate.js';

/** `borg list --consider-checkpoints --json` as borg 1.2.4 printed it (local times without a zone). */
function listing(archives: { name: string; start: string }[]): string {
  return JSON.stringify({ archives: archives.map((a) => ({ ...a, archive: a.name, time: a.start, id: 'x' })), repository: {} });
}
const local = (iso: string) => {
  // The machine's local wall-clock time of an instant, as borg 1.2 writes it.
  const d = new Date(iso);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.000000`;
};

describe('the checkpoint a create cut short left', () => {
  const started = new Date('2026-12-03T06:07:36.400Z');

  it('is the newest checkpoint that started with this run, in borg 1.2 local time or with a zone', () => {
    const out = listing([
      { name: 'mac-2026-12-01T10:00:00.checkpoint', start: local('2026-12-01T10:00:00Z') },
      { name: 'mac-2026-12-03T06:07:36.checkpoint', start: local('2026-12-03T06:07:36Z') },
      { name: 'mac-2026-12-03T06:07:36.checkpoint.1', start: local('2026-12-03T06:07:36Z') },
    ]);
    expect(checkpointOf(out, started)).toBe('mac-2026-12-03T06:07:36.checkpoint.1');
    const zoned = JSON.stringify({ archives: [{ name: 'a.checkpoint', start: '2026-12-03T07:07:37.000000+01:00' }] });
    expect(checkpointOf(zoned, started)).toBe('a.checkpoint');
  });

  it('is none when the only checkpoints are older than this run, or none are listed, or borg said nothing readable', () => {
    expect(checkpointOf(listing([{ name: 'a.checkpoint', start: local('2026-12-03T05:00:00Z') }]), started)).toBeNull();
    expect(checkpointOf(listing([{ name: 'a-2026-12-03T06:07:40', start: local('2026-12-03T06:07:40Z') }]), started)).toBeNull();
    expect(checkpointOf(listing([]), started)).toBeNull();
    expect(checkpointOf('', started)).toBeNull();
    expect(checkpointOf('{"archives":[{"name":"a.checkpoint","start":"yesterday"}]}', started)).toBeNull();
  });

  it('is asked of borg for this profile’s archives and their checkpoints only', () => {
    const f = featuresFor(parseVersion('borg 1.2.4')!);
    expect(checkpointListArgs('/r', f, '{hostname}-{now}')).toEqual([
      'list',
      '--log-json',
      '--json',
      '--consider-checkpoints',
      '--glob-archives',
      '{hostname}-*.checkpoint*',
      '--',
      '/r',
    ]);
  });
});
