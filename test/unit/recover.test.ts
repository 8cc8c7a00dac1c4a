import { describe, expect, it } from 'vitest';
import { idsInText, recoverConfig, refOf as refOfEngine } from '../../src/profiles/recover.js';
import { compareProfiles, pathKeys, refOf, unknownFields, withoutKey } from '../../renderer/preferences/unknown.js';
import { parseConfig } from '../../src/profiles/schema.js';

const docs = { id: 'docs', name: 'Documents', repository: '/r/docs', encryption: 'none', sources: ['/s'] };
const pics = { id: 'pics', name: 'Pictures', repository: '/r/pics', encryption: 'none', sources: ['/p'] };
const music = { id: 'music', repository: '/r/music', encryption: 'none', sources: ['/m'] };
const text = (v: unknown) => JSON.stringify(v, null, 2);
const profile = (id: string) => ({ id, repository: `/r/${id}`, encryption: 'none', sources: ['/s'] });

describe('recoverConfig', () => {
  it('keeps everything of a valid file', () => {
    const r = recoverConfig(text({ volumesRoot: '/Volumes', profiles: [docs, pics] }));
    expect(r).toEqual({
      syntax: null,
      config: { volumesRoot: '/Volumes', profiles: [docs, pics] },
      kept: [
        { id: 'docs', name: 'Documents' },
        { id: 'pics', name: 'Pictures' },
      ],
      lost: [],
      dropped: [],
    });
  });

  it('a trailing comma: located, and every profile recovered', () => {
    const broken = text({ profiles: [docs, pics] }).replace(/("\/p"\s*\])/, '$1,');
    const r = recoverConfig(broken);
    expect(r.syntax).toMatchObject({ line: 19, column: 8, reason: 'a comma before } (JSON allows none after the last setting)' });
    expect(r.kept.map((p) => p.id)).toEqual(['docs', 'pics']);
    expect(r.lost).toEqual([]);
    expect(r.config).toEqual({ profiles: [docs, pics] });
    expect(parseConfig(r.config).ok).toBe(true);
  });

  it('comments are forgiven too', () => {
    const r = recoverConfig(`// mine\n{"profiles": [${JSON.stringify(docs)}] /* one */}`);
    expect(r.syntax).toMatchObject({ line: 1, column: 1, reason: 'comments are not allowed in JSON' });
    expect(r.kept).toEqual([{ id: 'docs', name: 'Documents' }]);
  });

  it('a worse error: the profiles before it are kept, the one it cuts off and those after it are named as lost', () => {
    const broken = `{"volumesRoot": "/V", "app": {"openAtLogin": true, "x": [1 "profiles": []}}`;
    expect(recoverConfig(broken).dropped).toEqual(['app']);
    const t = `{"volumesRoot": "/V", "profiles": [${JSON.stringify(docs)}, {"id": "pics", "name": "Pictures" "repository": "/r"}, ${JSON.stringify(music)}]}`;
    const r = recoverConfig(t);
    expect(r.syntax).toMatchObject({ line: 1, reason: '"\\"" where a , or } should be (a comma missing after "name"?)' });
    expect(r.config).toEqual({ volumesRoot: '/V', profiles: [docs] });
    expect(r.kept).toEqual([{ id: 'docs', name: 'Documents' }]);
    expect(r.lost).toEqual([
      { id: 'pics', name: 'Pictures', why: 'is cut off by the syntax error' },
      { id: 'music', name: null, why: 'could not be read (it comes after the syntax error)' },
    ]);
  });

  it('nothing readable: no config, and every profile written in the text is lost', () => {
    const r = recoverConfig(`[{"id": "docs", "id": "x\\"y"}, {"id": "docs"}`);
    expect(r.config).toBeNull();
    expect(r.kept).toEqual([]);
    expect(r.lost).toEqual([
      { id: 'docs', name: null, why: 'could not be read' },
      { id: 'x\\"y', name: null, why: 'could not be read' },
    ]);
    expect(recoverConfig('').lost).toEqual([]);
  });

  it('a file that parses but does not validate: the profiles that validate are kept, the others named with why', () => {
    const r = recoverConfig(text({ profiles: [docs, { ...pics, schedule: 'often', keepDaily: 7 }, music, 'junk'] }));
    expect(r.syntax).toBeNull();
    expect(r.config).toEqual({ profiles: [docs, music] });
    expect(r.kept.map((p) => p.id)).toEqual(['docs', 'music']);
    expect(r.lost).toEqual([
      { id: null, name: null, why: 'is not a profile (an object in { })' },
      {
        id: 'pics',
        name: 'Pictures',
        why: expect.stringMatching(/^schedule: .*; the profile: unknown field\(s\) keepDaily \(did you mean prune\.keepDaily\?\)$/),
      },
    ]);
  });

  it('a duplicate id loses the second profile, not the first', () => {
    const r = recoverConfig(text({ profiles: [docs, { ...pics, id: 'docs' }] }));
    expect(r.kept).toEqual([{ id: 'docs', name: 'Documents' }]);
    expect(r.lost).toEqual([{ id: 'docs', name: 'Pictures', why: 'id: duplicate id "docs" (also profiles[0])' }]);
  });

  it('settings outside the profiles that do not validate are left out and named', () => {
    const r = recoverConfig(text({ volumesRoot: '', theme: 'dark', app: { openAtLogin: 'yes' }, profiles: [docs] }));
    expect(r.config).toEqual({ profiles: [docs] });
    expect(r.dropped.sort()).toEqual(['app', 'theme', 'volumesRoot']);
    expect(r.kept).toHaveLength(1);
    const notList = recoverConfig(text({ profiles: { docs } }));
    expect(notList).toMatchObject({
      config: {},
      kept: [],
      dropped: ['profiles'],
      lost: [{ id: 'docs', name: null, why: 'could not be read' }],
    });
  });

  it('a setting cut off by the syntax error is left out, even one that would validate; the profiles list is not', () => {
    const r = recoverConfig(`{"profiles": [${JSON.stringify(docs)}], "app": {"openAtLogin": true`);
    expect(r).toMatchObject({ config: { profiles: [docs] }, dropped: ['app'] });
    const cut = recoverConfig(`{"volumesRoot": "/V", "profiles": [${JSON.stringify(docs)}, {"id": "pics"`);
    expect(cut).toMatchObject({ config: { volumesRoot: '/V', profiles: [docs] }, dropped: [] });
    expect(cut.lost).toEqual([{ id: 'pics', name: null, why: 'is cut off by the syntax error' }]);
  });

  it('finds the profile of an error past the tenth', () => {
    const many = Array.from({ length: 12 }, (_, i) => profile(`p${i}`));
    many[11] = { ...many[11]!, sources: [] };
    const r = recoverConfig(text({ profiles: many }));
    expect(r.kept).toHaveLength(11);
    expect(r.lost).toEqual([{ id: 'p11', name: null, why: 'sources: needs at least one folder to back up' }]);
  });

  it('a file from a newer version cannot be recovered here', () => {
    const r = recoverConfig(text({ version: 99, profiles: [docs] }));
    expect(r.config).toBeNull();
    expect(r.kept).toEqual([]);
    expect(r.lost).toEqual([{ id: 'docs', name: 'Documents', why: 'the file as a whole is not valid' }]);
  });
});

describe('compareProfiles', () => {
  it('names the profiles a replacement keeps and the ones it drops', () => {
    const before = [
      { id: 'docs', name: 'Documents' },
      { id: 'pics', name: null },
    ];
    expect(compareProfiles(before, { profiles: [docs, music] })).toEqual({ kept: [before[0]], lost: [before[1]] });
    expect(compareProfiles(before, { profiles: 'x' })).toEqual({ kept: [], lost: before });
    expect(compareProfiles(before, null)).toEqual({ kept: [], lost: before });
    const unnamed = [{ id: null, name: 'x' }];
    expect(compareProfiles(unnamed, null)).toEqual({ kept: [], lost: unnamed });
    expect(compareProfiles(unnamed, { profiles: [{ name: 'x' }] })).toEqual({ kept: unnamed, lost: [] });
  });
});

describe('idsInText', () => {
  it('lists each profile id once, in order', () => {
    expect(idsInText('{"id":"a"} { "id" : "b" } {"id": "a"} {"xid": 3}')).toEqual(['a', 'b']);
  });
});

describe('unknown settings', () => {
  it('reads paths back into keys', () => {
    expect(pathKeys('profiles[1].prune')).toEqual(['profiles', 1, 'prune']);
    expect(pathKeys('profiles[12].prune')).toEqual(['profiles', 12, 'prune']);
    expect(pathKeys('(top level)')).toEqual([]);
    expect(pathKeys('app')).toEqual(['app']);
    expect(pathKeys('')).toEqual([]);
  });

  it('finds each unknown key with its value and a guess at what was meant', () => {
    const json = {
      theme: 'dark',
      app: { Notification: 'all' },
      profiles: [{ ...docs, keepDaily: 7, Schedule: '0 * * * *', colour: 'x'.repeat(100) }],
    };
    const errors = [
      {
        path: 'profiles[0]',
        message: 'unknown field(s) keepDaily, Schedule, colour',
        unknown: ['keepDaily', 'Schedule', 'colour'],
        suggestions: ['prune.keepDaily', 'schedule', null],
      },
      { path: 'app', message: 'unknown field(s) Notification', unknown: ['Notification'], suggestions: ['notifications'] },
      { path: 'profiles[0].schedule', message: 'is not a schedule' },
      { path: 'profiles[0]', message: 'unknown field(s) gone', unknown: ['gone'] },
      { path: 'profiles[3]', message: 'unknown field(s) far', unknown: ['far'] },
    ];
    expect(unknownFields(errors, json)).toEqual([
      { path: 'profiles[0]', at: ['profiles', 0], key: 'keepDaily', value: '7', suggestion: 'prune.keepDaily' },
      { path: 'profiles[0]', at: ['profiles', 0], key: 'Schedule', value: '"0 * * * *"', suggestion: 'schedule' },
      { path: 'profiles[0]', at: ['profiles', 0], key: 'colour', value: `"${'x'.repeat(78)}…`, suggestion: null },
      { path: 'app', at: ['app'], key: 'Notification', value: '"all"', suggestion: 'notifications' },
    ]);
    const top = unknownFields([{ path: '(top level)', message: 'unknown field(s) theme', unknown: ['theme'] }], json);
    expect(top).toEqual([{ path: '(top level)', at: [], key: 'theme', value: '"dark"', suggestion: null }]);
    expect(unknownFields([{ path: '', message: 'unknown field(s) theme', unknown: ['theme'] }], json)).toEqual([
      { path: '', at: [], key: 'theme', value: '"dark"', suggestion: null },
    ]);
    expect(unknownFields([{ path: 'profiles[0]', message: 'm', unknown: ['u'] }], { profiles: [{ u: undefined }] })[0]!.value).toBe('null');
    const eighty = 'y'.repeat(78);
    expect(unknownFields([{ path: '', message: 'm', unknown: ['u'] }], { u: eighty })[0]!.value).toBe(`"${eighty}"`);
  });

  it("shows the engine's guess for each unknown key, as parseConfig made it", () => {
    const json = { Profiles: [], profiles: [{ ...docs, keepDaily: 7, exclude: ['*.tmp'], colour: 'red' }], app: { success: true } };
    const result = parseConfig(json);
    expect(result.ok).toBe(false);
    const fields = unknownFields(result.ok ? [] : result.errors, json);
    expect(fields.map((f) => [f.path, f.key, f.suggestion])).toEqual([
      ['app', 'success', 'notifications.success'],
      ['profiles[0]', 'keepDaily', 'prune.keepDaily'],
      ['profiles[0]', 'exclude', 'excludes'],
      ['profiles[0]', 'colour', null],
      ['(top level)', 'Profiles', 'profiles'],
    ]);
  });

  it('removes one key without changing the input', () => {
    const json = {
      a: 1,
      profiles: [
        { id: 'x', k: 7 },
        { id: 'y', k: 8 },
      ],
      app: { t: 1, u: 2 },
    };
    const copy = structuredClone(json);
    expect(withoutKey(json, ['profiles', 1], 'k')).toEqual({ a: 1, profiles: [{ id: 'x', k: 7 }, { id: 'y' }], app: { t: 1, u: 2 } });
    expect(withoutKey(json, ['app'], 't')).toEqual({ a: 1, profiles: json.profiles, app: { u: 2 } });
    expect(withoutKey(json, [], 'a')).toEqual({ profiles: json.profiles, app: json.app });
    expect(withoutKey(json, ['profiles', 5], 'k')).toEqual(json);
    const list = [{ k: 1 }];
    expect(withoutKey(list, [1], 'k')).toBe(list);
    expect(withoutKey(list, [3], 'k')).toBe(list);
    expect(withoutKey(list, ['length'], 'k')).toBe(list);
    const numbered = { 0: { k: 1 } };
    expect(withoutKey(numbered, [0], 'k')).toBe(numbered);
    expect(withoutKey('text', ['length'], 'k')).toBe('text');
    expect(withoutKey('text', [0], 'k')).toBe('text');
    expect(withoutKey(json, ['nothing'], 'k')).toBe(json);
    expect(withoutKey([1], [], 'k')).toEqual([1]);
    expect(withoutKey(json, ['profiles', 'x'], 'k')).toEqual(json);
    expect(json).toEqual(copy);
  });
});

describe('refOf', () => {
  it('reads an id and a name when they are text', () => {
    for (const f of [refOf, refOfEngine]) {
      expect(f({ id: 'a', name: 'A', x: 1 })).toEqual({ id: 'a', name: 'A' });
      expect(f({ id: 3, name: null })).toEqual({ id: null, name: null });
      expect(f('x')).toEqual({ id: null, name: null });
    }
    expect(refOf({ id: 'a', name: 'A', x: 1 })).toEqual({ id: 'a', name: 'A' });
    expect(refOf({ id: 3, name: null })).toEqual({ id: null, name: null });
    expect(refOf(['a'])).toEqual({ id: null, name: null });
    expect(refOf(null)).toEqual({ id: null, name: null });
  });
});
