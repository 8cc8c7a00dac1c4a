/**
 * The preferences window and a config.json changed under it: what it does (followFile) and the
 * per-profile, per-field comparison of the file it started from, the file now and its own edits.
 */
import { describe, expect, it } from 'vitest';
import { diffConfigs, followFile, sameSettings, showValue } from '../../renderer/preferences/conflict.js';

const profile = (over: Record<string, unknown> = {}) => ({
  id: 'docs',
  name: 'Documents',
  repository: '/repo',
  encryption: 'none',
  sources: ['/data'],
  prune: { keepDaily: 7 },
  ...over,
});
const config = (...profiles: Record<string, unknown>[]) => ({ version: 1, profiles });

describe('followFile', () => {
  const base = config(profile());
  it('stays when the revision is the one the view was drawn from', () => {
    expect(followFile({ viewRevision: 'r1', fileRevision: 'r1', dirty: true, base, theirs: config(profile({ name: 'x' })) })).toBe('stay');
  });
  it('takes the file at once when nothing is unsaved', () => {
    expect(followFile({ viewRevision: 'r1', fileRevision: 'r2', dirty: false, base, theirs: config(profile({ name: 'x' })) })).toBe(
      'take-file',
    );
    expect(followFile({ viewRevision: 'r1', fileRevision: 'r2', dirty: false, base, theirs: null })).toBe('take-file');
  });
  it('asks when there are unsaved edits and the file says something else now', () => {
    expect(followFile({ viewRevision: 'r1', fileRevision: 'r2', dirty: true, base, theirs: config(profile({ name: 'x' })) })).toBe('ask');
    // Broken or removed meanwhile: asked too, never overwritten quietly.
    expect(followFile({ viewRevision: 'r1', fileRevision: 'r2', dirty: true, base, theirs: null })).toBe('ask');
  });
  it('keeps the edits when only the layout of the file changed, or a field the window itself had written', () => {
    const reordered = { profiles: [{ ...profile(), prune: { keepDaily: 7 } }], version: 1 };
    expect(followFile({ viewRevision: 'r1', fileRevision: 'r2', dirty: true, base, theirs: reordered })).toBe('adopt-revision');
    const login = { ...base, app: { openAtLogin: true } };
    expect(followFile({ viewRevision: 'r1', fileRevision: 'r2', dirty: true, base, theirs: login })).toBe('ask');
    expect(followFile({ viewRevision: 'r1', fileRevision: 'r2', dirty: true, base, theirs: login, ignore: ['app.openAtLogin'] })).toBe(
      'adopt-revision',
    );
  });
});

describe('sameSettings', () => {
  it('ignores key order and the version field, not values', () => {
    expect(sameSettings(config(profile()), { profiles: [profile()] })).toBe(true);
    expect(sameSettings(config(profile()), config(profile({ sources: ['/data', '/more'] })))).toBe(false);
    expect(sameSettings(config(profile()), config(profile(), profile({ id: 'b' })))).toBe(false);
  });
});

describe('diffConfigs', () => {
  it('lists each changed field once, with the value before, in the file now and in the window', () => {
    const base = config(profile());
    const theirs = config(profile({ name: 'Renamed by hand', sources: ['/data', '/photos'] }));
    const mine = config(profile({ prune: { keepDaily: 14 }, sources: ['/data', '/music'] }));
    expect(diffConfigs(base, theirs, mine)).toEqual([
      {
        profile: 'docs',
        group: 'Renamed by hand',
        field: 'name',
        base: 'Documents',
        theirs: 'Renamed by hand',
        mine: 'Documents',
        changedByThem: true,
        changedByMe: false,
      },
      {
        profile: 'docs',
        group: 'Renamed by hand',
        field: 'sources',
        base: '/data',
        theirs: '/data, /photos',
        mine: '/data, /music',
        changedByThem: true,
        changedByMe: true,
      },
      {
        profile: 'docs',
        group: 'Renamed by hand',
        field: 'prune.keepDaily',
        base: '7',
        theirs: '7',
        mine: '14',
        changedByThem: false,
        changedByMe: true,
      },
    ]);
  });

  it('a profile added or removed is one row; settings outside the profiles are "General"', () => {
    const base = config(profile());
    const theirs = { ...config(profile(), profile({ id: 'photos', name: 'Photos' })), app: { notifications: 'all' } };
    const mine = config();
    const rows = diffConfigs(base, theirs, mine);
    expect(rows.map((r) => [r.group, r.field, r.base, r.theirs, r.mine])).toEqual([
      ['General', 'app.notifications', null, 'all', null],
      ['Documents', '(backup)', 'present', 'present', null],
      ['Photos', '(backup)', null, 'present', null],
    ]);
  });

  it('nothing changed on either side is no row; a file that is not JSON counts as empty', () => {
    expect(diffConfigs(config(profile()), config(profile()), config(profile()))).toEqual([]);
    const rows = diffConfigs(config(profile()), null, config(profile()));
    expect(rows).toEqual([expect.objectContaining({ field: '(backup)', theirs: null, changedByThem: true, changedByMe: false })]);
  });

  it('profiles without an id are told apart by position', () => {
    const rows = diffConfigs({ profiles: [{ name: 'a' }] }, { profiles: [{ name: 'b' }] }, { profiles: [{ name: 'a' }] });
    expect(rows).toEqual([expect.objectContaining({ profile: '#1', field: 'name', base: 'a', theirs: 'b' })]);
  });
});

describe('showValue', () => {
  it('shows strings bare, lists joined, the rest as JSON, long values cut', () => {
    expect(showValue(undefined)).toBeNull();
    expect(showValue(null)).toBe('null');
    expect(showValue([])).toBe('(none)');
    expect(showValue({ keepDaily: 7 })).toBe('{"keepDaily":7}');
    expect(showValue('x'.repeat(500))!.length).toBe(160);
  });
});
