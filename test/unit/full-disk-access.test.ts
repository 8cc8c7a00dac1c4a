import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  FDA_SETTINGS_URL,
  LOGIN_ITEMS_URL,
  TCC_PROTECTED,
  permissionProblem,
  probeFullDiskAccess,
} from '../../src/app/full-disk-access.js';
import type { RunRecord } from '../../src/records.js';
import type { Diagnosis } from '../../src/diagnosis.js';
import { diagnosisFor } from '../../src/messages.js';

const errno = (code: string) => Object.assign(new Error(`${code}: operation refused`), { code });
const refuse = (codes: Record<string, string>) => async (p: string) => {
  const code = codes[p];
  if (code) throw errno(code);
  return [];
};

let home: string;
beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-fda-'));
});
afterAll(async () => {
  await fs.rm(home, { recursive: true, force: true });
});

describe('probeFullDiskAccess', () => {
  it('knows nothing off macOS, and does not even look', async () => {
    let looked = 0;
    const readdir = async () => {
      looked++;
      return [];
    };
    for (const platform of ['linux', 'win32', 'freebsd'] as const) {
      expect(await probeFullDiskAccess({ platform, home, readdir })).toBe('unknown');
    }
    expect(looked).toBe(0);
  });

  it('looks at the folders macOS protects, under the home folder, in order', async () => {
    const asked: string[] = [];
    const readdir = async (p: string) => {
      asked.push(p);
      throw errno('ENOENT');
    };
    expect(await probeFullDiskAccess({ platform: 'darwin', home: '/Users/me', readdir })).toBe('unknown');
    expect(asked).toEqual([
      '/Users/me/Library/Safari',
      '/Users/me/Library/Mail',
      '/Users/me/Library/Messages',
      '/Users/me/Library/Application Support/com.apple.TCC',
    ]);
    expect(TCC_PROTECTED).toHaveLength(4);
  });

  it('says unknown when none of the folders exists (real filesystem)', async () => {
    expect(await probeFullDiskAccess({ platform: 'darwin', home })).toBe('unknown');
  });

  it('says granted when a protected folder can be listed (real filesystem)', async () => {
    await fs.mkdir(path.join(home, 'Library', 'Messages'), { recursive: true });
    expect(await probeFullDiskAccess({ platform: 'darwin', home })).toBe('granted');
  });

  it.skipIf(process.getuid?.() === 0)('says missing when a protected folder exists but cannot be listed (real chmod 000)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-fda-'));
    const locked = path.join(dir, 'Mail');
    await fs.mkdir(locked, { mode: 0o000 });
    try {
      expect(await probeFullDiskAccess({ platform: 'darwin', home: dir, paths: [path.join(dir, 'Safari'), locked] })).toBe('missing');
    } finally {
      await fs.chmod(locked, 0o755);
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it.each(['EPERM', 'EACCES'])('says missing when listing an existing folder fails with %s', async (code) => {
    const paths = ['/a', '/b'];
    const readdir = refuse({ '/a': 'ENOENT', '/b': code });
    expect(await probeFullDiskAccess({ platform: 'darwin', home, paths, readdir })).toBe('missing');
  });

  it('says granted when any folder can be listed, even after a refusal', async () => {
    const readdir = refuse({ '/a': 'EPERM' });
    expect(await probeFullDiskAccess({ platform: 'darwin', home, paths: ['/a', '/b'], readdir })).toBe('granted');
  });

  it('stops at the first folder it can list', async () => {
    const asked: string[] = [];
    const readdir = async (p: string) => {
      asked.push(p);
      return [];
    };
    expect(await probeFullDiskAccess({ platform: 'darwin', home, paths: ['/a', '/b'], readdir })).toBe('granted');
    expect(asked).toEqual(['/a']);
  });

  it('keeps looking after a refusal, and says missing only when no folder could be listed', async () => {
    const asked: string[] = [];
    const readdir = async (p: string) => {
      asked.push(p);
      throw errno(p === '/a' ? 'EPERM' : 'ENOENT');
    };
    expect(await probeFullDiskAccess({ platform: 'darwin', home, paths: ['/a', '/b', '/c'], readdir })).toBe('missing');
    expect(asked).toEqual(['/a', '/b', '/c']);
  });

  it('says unknown for other failures: not a folder, an I/O error, something thrown without a code', async () => {
    const odd = async (p: string) => {
      if (p === '/c') throw 'not an error';
      if (p === '/d') throw null;
      throw errno(p === '/a' ? 'ENOTDIR' : 'EIO');
    };
    expect(await probeFullDiskAccess({ platform: 'darwin', home, paths: ['/a', '/b', '/c', '/d'], readdir: odd })).toBe('unknown');
  });

  it('says unknown when given no folder to try', async () => {
    expect(await probeFullDiskAccess({ platform: 'darwin', home, paths: [] })).toBe('unknown');
  });
});

describe('the settings addresses', () => {
  it('open Full Disk Access and Login Items in System Settings', () => {
    expect(FDA_SETTINGS_URL).toBe('x-apple.systempreferences:com.apple.preference.security?Privacy_AllFiles');
    expect(LOGIN_ITEMS_URL).toBe('x-apple.systempreferences:com.apple.LoginItems-Settings.extension');
  });
});

describe('permissionProblem', () => {
  const ctx = { repository: '/Volumes/backup-disk/repo', platform: 'darwin' as const, passphraseSupplied: true, profile: 'disk' };
  const permission = diagnosisFor('source-permission', ctx, "/Users/me/Desktop: scandir: [Errno 1] Operation not permitted: 'Desktop'", {
    count: 3,
  });
  const record = (diagnoses: Diagnosis[], result: RunRecord['result'] = 'warning'): RunRecord => ({
    profile: 'disk',
    trigger: 'schedule',
    startedAt: '2026-11-27T12:00:00Z',
    finishedAt: '2026-11-27T12:05:00Z',
    result,
    archive: null,
    stats: null,
    message: diagnoses[0]?.message ?? null,
    diagnoses,
    log: null,
  });
  const other = diagnosisFor('source-missing', ctx, undefined, { example: '/Users/me/Old' });

  it('points unreadable sources on macOS to Full Disk Access, with the diagnosis words', () => {
    const problem = permissionProblem(record([other, permission]), 'darwin', 'missing');
    expect(problem).toEqual({ message: permission.message, fix: permission.fix, action: 'open-fda-settings' });
    expect(problem!.message).toMatch(/^3 files could not be read \(permission denied\), e\.g\. \/Users\/me\/Desktop\. .*Full Disk Access/);
  });

  it('points there too when the probe could not tell, and for a failed run', () => {
    expect(permissionProblem(record([permission], 'error'), 'darwin', 'unknown')).toMatchObject({ action: 'open-fda-settings' });
  });

  it('does not point there when Full Disk Access is granted: those files are unreadable for another reason', () => {
    expect(permissionProblem(record([permission]), 'darwin', 'granted')).toBeNull();
  });

  it('does not point there off macOS', () => {
    expect(permissionProblem(record([permission]), 'linux', 'missing')).toBeNull();
    expect(permissionProblem(record([permission]), 'linux', 'unknown')).toBeNull();
  });

  it('does not point there for other troubles, or none', () => {
    expect(permissionProblem(record([other]), 'darwin', 'missing')).toBeNull();
    expect(permissionProblem(record([], 'success'), 'darwin', 'missing')).toBeNull();
  });
});
