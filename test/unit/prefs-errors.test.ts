import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/profiles/schema.js';
import { liveFields, placeErrors, placeOf, sectionsWithErrors, sentence } from '../../renderer/preferences/errors.js';
import { draftFromJson } from '../../renderer/preferences/draft.js';

describe('preferences: each error next to its control', () => {
  it.each([
    ['profiles[0].schedule', { kind: 'profile', index: 0, field: 'schedule', section: 'schedule' }],
    ['profiles[2].sources', { kind: 'profile', index: 2, field: 'sources', section: 'sources' }],
    ['profiles[0].sources[1]', { kind: 'profile', index: 0, field: 'sources', section: 'sources' }],
    ['profiles[1].prune.keepDaily', { kind: 'profile', index: 1, field: 'prune.keepDaily', section: 'keep' }],
    ['profiles[1].prune', { kind: 'profile', index: 1, field: 'prune', section: 'keep' }],
    ['profiles[0].repository.port', { kind: 'profile', index: 0, field: 'repository.port', section: 'repository' }],
    ['profiles[0].repository', { kind: 'profile', index: 0, field: 'repository', section: 'repository' }],
    ['profiles[0].id', { kind: 'profile', index: 0, field: 'name', section: 'repository' }],
    ['profiles[0].archiveName', { kind: 'profile', index: 0, field: 'archiveName', section: 'keep' }],
    ['profiles[0].passcommand', { kind: 'profile', index: 0, field: 'passcommand', section: 'passphrase' }],
    ['profiles[0]', { kind: 'profile', index: 0, field: 'profile', section: 'repository' }],
    ['app.notifications.success', { kind: 'general', field: 'notifications' }],
    ['borgPath', { kind: 'general', field: 'borgPath' }],
    ['volumesRoot', { kind: 'banner' }],
    ['(top level)', { kind: 'banner' }],
  ])('%s', (path, place) => {
    expect(placeOf(path)).toEqual(place);
  });

  it('places the engine’s own errors for no folders and a bad cron, and marks their sections', () => {
    const parsed = parseConfig({
      profiles: [
        { id: 'a', repository: '/tmp/r', sources: ['/tmp/s'] },
        { id: 'b', repository: '/tmp/q', sources: [], schedule: 'every day' },
      ],
      volumesRoot: '',
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const placed = placeErrors(parsed.errors, ['u1', 'u2']);
    expect(Object.keys(placed.fields).sort()).toEqual(['u2:schedule', 'u2:sources']);
    expect(placed.fields['u2:sources']).toEqual(['Needs at least one folder to back up.']);
    expect(placed.banner.map((e) => e.path)).toEqual(['volumesRoot']);
    expect(placed.first).toMatchObject({ uid: 'u2' });
    expect([...sectionsWithErrors(placed.fields, 'u2')].sort()).toEqual(['schedule', 'sources']);
    expect(sectionsWithErrors(placed.fields, 'u1').size).toBe(0);
  });

  it('an error for a profile the window does not have goes to the banner', () => {
    expect(placeErrors([{ path: 'profiles[5].schedule', message: 'x' }], ['u1']).banner).toHaveLength(1);
  });

  it('messages read as sentences', () => {
    expect(sentence('needs at least one folder')).toBe('Needs at least one folder.');
    expect(sentence('Already one.')).toBe('Already one.');
  });
});

describe('errors go as soon as their field is fixed', () => {
  const ssh = (port: string) => {
    const d = draftFromJson({ id: 'p', repository: 'ssh://u@host/./backup', sources: ['/s'], schedule: '61 * * * *' });
    return { ...d, uid: 'u1', ssh: { ...d.ssh, port } };
  };

  it('keeps an error while the field holds the value it was found for', () => {
    const d = ssh('x');
    const placed = placeErrors(
      [{ path: 'profiles[0].repository.port', message: 'The port is a number from 1 to 65535 (SSH uses 22).' }],
      ['u1'],
      [d],
    );
    expect(liveFields(placed, [d])).toEqual({ 'u1:repository.port': ['The port is a number from 1 to 65535 (SSH uses 22).'] });
  });

  it('drops it when the new value is valid, and says what is wrong with a new invalid value', () => {
    const d = ssh('x');
    const placed = placeErrors([{ path: 'profiles[0].repository.port', message: 'old words' }], ['u1'], [d]);
    expect(liveFields(placed, [ssh('2222')])).toEqual({});
    expect(liveFields(placed, [ssh('99999')])).toEqual({ 'u1:repository.port': ['The port is a number from 1 to 65535 (SSH uses 22).'] });
  });

  it('drops an error only the engine can find (a cron line) once the line changes', () => {
    const d = ssh('');
    const placed = placeErrors([{ path: 'profiles[0].schedule', message: 'minute 61 is out of range 0–59' }], ['u1'], [d]);
    expect(liveFields(placed, [d])).toEqual({ 'u1:schedule': ['Minute 61 is out of range 0–59.'] });
    const fixed = { ...d, schedule: { ...d.schedule, cron: '0 * * * *' } };
    expect(liveFields(placed, [fixed])).toEqual({});
  });

  it('keeps errors placed without their values, and those of General', () => {
    const placed = placeErrors(
      [
        { path: 'app.notifications', message: 'bad' },
        { path: 'profiles[0].sources', message: 'needs one' },
      ],
      ['u1'],
    );
    expect(liveFields(placed, [ssh('')])).toEqual({ 'general:notifications': ['Bad.'], 'u1:sources': ['Needs one.'] });
  });
});
