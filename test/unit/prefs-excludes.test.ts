import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArgs } from '../../src/borg/argv.js';
import {
  combineExcludes,
  defaultExcludes,
  EXCLUDE_PRESETS,
  freePatterns,
  presetChosen,
  setPreset,
} from '../../renderer/preferences/excludes.js';

const preset = (id: string) => EXCLUDE_PRESETS.find((p) => p.id === id)!;

describe('preferences: exclude presets as a list', () => {
  it('turns a preset on and off without touching the user’s own patterns', () => {
    const mine = ['*.tmp'];
    const on = setPreset(mine, preset('node_modules'), true);
    expect(on).toEqual(['*.tmp', 'sh:**/node_modules']);
    expect(presetChosen(on, preset('node_modules'))).toBe(true);
    expect(setPreset(on, preset('node_modules'), false)).toEqual(['*.tmp']);
    expect(setPreset(on, preset('node_modules'), true)).toEqual(on);
  });

  it('the free list is what no chosen preset accounts for', () => {
    const list = combineExcludes(['caches', 'ds_store'], '*.tmp\n\n  ~/Movies  \n*.tmp');
    expect(list).toEqual(['~/Library/Caches', '~/.cache', '*/.DS_Store', '*.tmp', '~/Movies']);
    expect(freePatterns(list)).toEqual(['*.tmp', '~/Movies']);
    // Half a preset is the user's own text, not a ticked box.
    expect(freePatterns(['~/Library/Caches'])).toEqual(['~/Library/Caches']);
  });

  it('new profiles leave out caches, the Trash and cloud-only files', () => {
    const d = defaultExcludes();
    for (const id of ['caches', 'trash', 'cloud']) expect(presetChosen(d, preset(id))).toBe(true);
    for (const id of ['node_modules', 'ds_store']) expect(presetChosen(d, preset(id))).toBe(false);
  });
});

describe('preferences: the preset patterns mean what they say to borg 1.2', () => {
  let dir: string;
  const home = () => path.join(dir, 'home');
  const savedHome = process.env.HOME;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-prefs-excludes-'));
    const files = [
      'home/.Trash/deleted.txt',
      'home/.local/share/Trash/files/old.txt',
      'home/Library/Caches/com.app/cache.db',
      'home/.cache/thing/blob',
      'home/Library/CloudStorage/Dropbox/big.mov',
      'home/Documents/.report.pdf.icloud',
      'home/Documents/report.txt',
      'home/Documents/.DS_Store',
      'home/code/app/node_modules/lib/index.js',
      'home/code/app/index.js',
      'home/code/app/Caches.md',
      'volume/.Trashes/501/x.txt',
      'volume/photo.jpg',
    ];
    for (const f of files) {
      await fs.mkdir(path.dirname(path.join(dir, f)), { recursive: true });
      await fs.writeFile(path.join(dir, f), 'x');
    }
  });
  afterAll(async () => {
    process.env.HOME = savedHome;
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('every preset leaves out its files and nothing else (borg create --dry-run --list)', async () => {
    const env = { ...process.env, BORG_BASE_DIR: path.join(dir, 'borg'), BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes' };
    const repo = path.join(dir, 'repo');
    await execa('borg', ['init', '--encryption=none', repo], { env });
    // The engine expands "~/" against the home folder before borg sees the pattern.
    process.env.HOME = home();
    const args = createArgs({
      repository: repo,
      archiveName: 'a',
      sources: [home(), path.join(dir, 'volume')],
      excludes: EXCLUDE_PRESETS.flatMap((p) => p.patterns),
      compression: 'lz4',
      oneFileSystem: false,
      excludeCaches: false,
    }).filter((a) => a !== '--json' && a !== '--progress' && a !== '--filter=AME' && a !== '--log-json');
    process.env.HOME = savedHome;
    const r = await execa('borg', [args[0]!, '--dry-run', ...args.slice(1)], { env, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const listed = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('- '))
      .map((l) => path.relative(dir, l.slice(2)));
    const files = listed.filter((f) => /\.[a-z]+$/.test(path.basename(f)) && !path.basename(f).startsWith('.'));
    expect(files.sort()).toEqual(['home/Documents/report.txt', 'home/code/app/Caches.md', 'home/code/app/index.js', 'volume/photo.jpg']);
    for (const gone of ['.Trash', 'Trash', 'Caches', '.cache', 'CloudStorage', '.DS_Store', 'node_modules', '.Trashes', 'icloud'])
      expect(listed.some((f) => f.split('/').some((part) => part === gone || part.endsWith(`.${gone}`)))).toBe(false);
  });
});
