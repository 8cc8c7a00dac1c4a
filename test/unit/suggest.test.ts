import { describe, expect, it } from 'vitest';
import { closestNames, editDistance, foldName } from '../../src/suggest.js';
import { fieldsAt, parseConfig, suggestField, type FieldsHere } from '../../src/profiles/schema.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions, and a swap of neighbours as one', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('status', 'status')).toBe(0);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('stauts', 'status')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('abc', 'acb')).toBe(1);
    expect(editDistance('ca', 'abc')).toBe(3);
    expect(editDistance('exclude', 'excludes')).toBe(1);
    expect(editDistance('excludes', 'exclude')).toBe(1);
    expect(editDistance('abcd', 'abxd')).toBe(1);
    expect(editDistance('abcd', 'bcd')).toBe(1);
  });

  it('stops past the limit and says so with limit + 1', () => {
    expect(editDistance('a', 'abcdef', 2)).toBe(3);
    expect(editDistance('abcdef', 'uvwxyz', 2)).toBe(3);
    expect(editDistance('abcdef', 'abcxyz', 3)).toBe(3);
    expect(editDistance('abcdef', 'abcxyz', 2)).toBe(3);
    expect(editDistance('ab', 'ba', 1)).toBe(1);
    expect(editDistance('abc', 'abd', 0)).toBe(1);
  });
});

describe('closestNames', () => {
  const commands = ['run', 'status', 'daemon', 'init', 'archives', 'restore', 'resume', 'history', 'help'];

  it('ignores capitals, dashes and underscores', () => {
    expect(foldName('Keep_Daily-x')).toBe('keepdailyx');
    expect(closestNames('STATUS', commands)).toEqual(['status']);
    expect(closestNames('keep_daily', ['keepDaily', 'keepWeekly'])).toEqual(['keepDaily']);
  });

  it('takes the nearest within 1 edit up to 5 characters and 2 after, all that tie, at most two', () => {
    expect(closestNames('stauts', commands)).toEqual(['status']);
    expect(closestNames('rn', commands)).toEqual(['run']);
    expect(closestNames('daemno', commands)).toEqual(['daemon']);
    expect(closestNames('restor', commands)).toEqual(['restore']);
    expect(closestNames('resum', commands)).toEqual(['resume']);
    expect(closestNames('reume', commands)).toEqual(['resume']);
    // Five characters allow one edit, six allow two.
    expect(closestNames('hxlxp', commands)).toEqual([]);
    expect(closestNames('hisxxry', commands)).toEqual(['history']);
    expect(closestNames('hixxxry', commands)).toEqual([]);
    // A tie is offered as both; more than two are cut to two.
    expect(closestNames('abcdef', ['abxdxf', 'abcdxf'])).toEqual(['abcdxf']);
    expect(closestNames('abcdef', ['abcdxf', 'abxdxf'])).toEqual(['abcdxf']);
    expect(closestNames('xa', ['aa', 'ba', 'ca'])).toEqual(['aa', 'ba']);
    expect(closestNames('restre', commands)).toEqual(['restore']);
    expect(closestNames('xun', ['run', 'bun', 'rum'])).toEqual(['run', 'bun']);
  });

  it('else the one name it begins, from 3 characters on', () => {
    expect(closestNames('repo', ['id', 'repository', 'sources'])).toEqual(['repository']);
    expect(closestNames('arch', commands)).toEqual(['archives']);
    expect(closestNames('re', ['repository'])).toEqual([]);
    expect(closestNames('rep', ['repository'])).toEqual(['repository']);
    expect(closestNames('res', commands)).toEqual([]);
    expect(closestNames('', commands)).toEqual([]);
    expect(closestNames('-_', commands)).toEqual([]);
    // Nothing left of the name once folded is not one edit from a one-letter name.
    expect(closestNames('-', ['a', 'b'])).toEqual([]);
    expect(closestNames('A', ['a', 'b'])).toEqual(['a']);
    expect(closestNames('Status', ['status', 'STATUS', 'stats'])).toEqual(['status', 'STATUS']);
    expect(closestNames('zzzz', commands)).toEqual([]);
  });
});

describe('suggestField: what an unknown field of config.json probably is', () => {
  const at = (path: (string | number)[], key: string) => {
    const here = fieldsAt(path);
    if (!here) throw new Error(`no object at ${path.join('.')}`);
    return suggestField(key, here);
  };

  it('another spelling of a field of the same object', () => {
    expect(at(['profiles', 0], 'Schedule')).toBe('schedule');
    expect(at(['profiles', 0], 'source')).toBe('sources');
    expect(at(['profiles', 0], 'exclude')).toBe('excludes');
    expect(at(['profiles', 0], 'repo')).toBe('repository');
    expect(at(['profiles', 0], 'borg_path')).toBe('borgPath');
    expect(at(['profiles', 0, 'prune'], 'KeepWeekly')).toBe('keepWeekly');
    expect(at(['profiles', 0, 'prune'], 'keep-monthly')).toBe('keepMonthly');
    expect(at(['app'], 'openatlogin')).toBe('openAtLogin');
    expect(at(['app'], 'Notification')).toBe('notifications');
    expect(at([], 'Profile')).toBe('profiles');
    expect(at([], 'volumeRoot')).toBe('volumesRoot');
  });

  it('a field of an object inside this one, by spelling first, then by nearness', () => {
    expect(at(['profiles', 0], 'keepDaily')).toBe('prune.keepDaily');
    expect(at(['profiles', 0], 'keep_daily')).toBe('prune.keepDaily');
    expect(at(['profiles', 0], 'keepDayly')).toBe('prune.keepDaily');
    expect(at(['profiles', 0], 'pingUrl')).toBe('monitor.pingUrl');
    expect(at(['profiles', 0], 'verifyData')).toBe('check.verifyData');
    expect(at([], 'openAtLogin')).toBe('app.openAtLogin');
    expect(at(['app'], 'success')).toBe('notifications.success');
  });

  it('a field of the object this one is inside', () => {
    expect(at(['profiles', 0, 'prune'], 'schedule')).toBe('schedule (beside prune, not in it)');
    expect(at(['app', 'notifications'], 'openAtLogin')).toBe('openAtLogin (beside notifications, not in it)');
    expect(at(['profiles', 0, 'monitor'], 'Sources')).toBe('sources (beside monitor, not in it)');
  });

  it('in this order: a spelling here, one inside, one up, then the nearest here, then the nearest inside', () => {
    const here = (known: string[], nested: [string, string[]][] = [], parent: FieldsHere['parent'] = null): FieldsHere => ({
      known,
      nested: new Map(nested),
      parent,
    });
    // The same spelling here wins over the same inside, and the same inside over one nearly the same here.
    expect(suggestField('Check', here(['check'], [['prune', ['check']]]))).toBe('check');
    expect(suggestField('keep_daily', here(['keepdailx'], [['prune', ['keepDaily']]]))).toBe('prune.keepDaily');
    expect(suggestField('keep_daily', here(['keepdailx'], [], { name: 'prune', known: ['keepDaily'] }))).toBe(
      'keepDaily (beside prune, not in it)',
    );
    expect(suggestField('keepdaily', here(['keepdailx'], [['prune', ['keepDailyy']]]))).toBe('keepdailx');
    expect(suggestField('keepdaily', here([], [['prune', ['keepDailyy']]]))).toBe('prune.keepDailyy');
    // Two as near are both offered; inside, only one that is alone.
    expect(suggestField('keepc', here(['keepa', 'keepb']))).toBe('keepa or keepb');
    expect(suggestField('keepc', here([], [['prune', ['keepa', 'keepb']]]))).toBeNull();
    expect(suggestField('KEEPA', here(['keepa', 'Keep_A']))).toBe('keepa or Keep_A');
  });

  it('nothing when nothing is close', () => {
    expect(at(['profiles', 0], 'colour')).toBeNull();
    expect(at(['profiles', 0, 'prune'], 'x')).toBeNull();
    expect(at([], 'x')).toBeNull();
    expect(at([], 'theme')).toBeNull();
    // keep… begins every keep rule: no one of them is meant.
    expect(at(['profiles', 0], 'keep')).toBeNull();
    expect(fieldsAt(['other', 0])).toBeNull();
    expect(fieldsAt(['profiles', 'x'])).toBeNull();
    expect(fieldsAt(['profiles', 0, 'sources'])).toBeNull();
    expect(fieldsAt(['profiles', 0, 'id'])).toBeNull();
  });

  it('every field of a profile, prune and the top level, in capitals, is found where it belongs', () => {
    const profile = fieldsAt(['profiles', 0])!;
    expect(profile.known).toEqual(expect.arrayContaining(['id', 'repository', 'sources', 'prune', 'check', 'monitor', 'borgPath']));
    expect(profile.parent).toBeNull();
    for (const k of profile.known) expect(at(['profiles', 0], k.toUpperCase())).toBe(k);
    const prune = fieldsAt(['profiles', 0, 'prune'])!;
    expect(prune.known).toEqual(expect.arrayContaining(['keepDaily', 'keepWithin', 'keepYearly']));
    expect(prune.parent?.name).toBe('prune');
    for (const k of prune.known) expect(at(['profiles', 0], k.toUpperCase())).toBe(`prune.${k}`);
    const top = fieldsAt([])!;
    expect(top.known).toEqual(['version', 'app', 'volumesRoot', 'borgPath', 'profiles']);
    for (const k of top.known) expect(at([], k.toUpperCase())).toBe(k);
  });

  it('is in the message the CLI prints and in the error the windows get', () => {
    const result = parseConfig({
      profiles: [{ id: 'a', repository: '/r', sources: ['/s'], exclude: ['*.tmp'], colour: 'red', keepDaily: 7 }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toContainEqual({
      path: 'profiles[0]',
      message: 'unknown field(s) exclude (did you mean excludes?), colour, keepDaily (did you mean prune.keepDaily?)',
      unknown: ['exclude', 'colour', 'keepDaily'],
      suggestions: ['excludes', null, 'prune.keepDaily'],
    });
  });
});
