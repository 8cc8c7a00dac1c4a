/**
 * ACLs come back with a restore, into a new folder and in place, against real borg: a file with an
 * extra user entry and a folder with a default ACL (what new files inside it inherit). Needs
 * `setfacl`/`getfacl` (Debian's `acl`, installed by .ci/run) and a file system with ACLs.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine.js';
import { MemorySecretStore } from '../../src/secrets/keyring.js';
import { borg, sandbox, writeConfig, type Sandbox } from '../helpers/env.js';

/** The ACL of a path as getfacl prints it, without the header (its name differs between source and copy). */
async function acl(file: string): Promise<string> {
  const r = await execa('getfacl', ['--omit-header', '--absolute-names', file]);
  return r.stdout.trim();
}

const ap = (p: string) => p.replace(/^\//, '');

let sb: Sandbox;
let engine: Engine;
let src: string;
let archive: string;
let why: string | null = null;

beforeAll(async () => {
  sb = await sandbox('dandelion-restore-acl-');
  process.env.BORG_BASE_DIR = sb.env.BORG_BASE_DIR;
  process.env.BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK = 'yes';
  src = path.join(sb.dir, 'src');
  const repo = path.join(sb.dir, 'repo');
  await fs.mkdir(path.join(src, 'shared'), { recursive: true });
  await fs.writeFile(path.join(src, 'report.txt'), 'read by one more user');
  try {
    await execa('setfacl', ['-m', 'u:nobody:r,g:daemon:rw', path.join(src, 'report.txt')]);
    await execa('setfacl', ['-d', '-m', 'u:nobody:rx', path.join(src, 'shared')]);
  } catch (err) {
    why = `setfacl is missing or this file system has no ACLs (${(err as Error).message.split('\n')[0]}); install Debian's acl package, as .ci/run does`;
    return;
  }
  expect((await borg(sb, ['init', '--encryption=none', repo])).exitCode).toBe(0);
  await writeConfig(sb.configDir, {
    profiles: [{ id: 'p', repository: repo, encryption: 'none', sources: [src], prune: null, archiveName: 'p-{now}' }],
  });
  ({ engine } = await Engine.open({ configDir: sb.configDir, secrets: new MemorySecretStore() }));
  const r = await engine.run('p');
  expect(r.result, JSON.stringify(r.diagnoses)).toBe('success');
  archive = r.archive!;
});

afterAll(async () => {
  await engine?.cancelAll();
  await sb.cleanup();
});

describe('ACLs', () => {
  it('the source has them (the test can fail: a plain copy loses them)', async (ctx) => {
    if (why) return ctx.skip(why);
    expect(await acl(path.join(src, 'report.txt'))).toMatch(/user:nobody:r--/);
    expect(await acl(path.join(src, 'shared'))).toMatch(/default:user:nobody:r-x/);
    const copy = path.join(sb.dir, 'plain-copy.txt');
    await fs.copyFile(path.join(src, 'report.txt'), copy);
    expect(await acl(copy)).not.toMatch(/user:nobody/);
  });

  for (const mode of ['new-folder', 'in-place'] as const) {
    it(`come back with a restore (${mode})`, async (ctx) => {
      if (why) return ctx.skip(why);
      const target = path.join(sb.dir, `dest-${mode}`);
      await fs.mkdir(target);
      const r = await engine.restore('p', { archive, paths: [src], target, mode });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (!r.ok) return;
      const root = path.join(mode === 'new-folder' ? r.value.folder! : target, ap(src));
      expect(await acl(path.join(root, 'report.txt'))).toBe(await acl(path.join(src, 'report.txt')));
      expect(await acl(path.join(root, 'shared'))).toBe(await acl(path.join(src, 'shared')));
    });
  }
});
