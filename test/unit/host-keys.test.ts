import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appendix,
  checkTarget,
  chooseKey,
  hostKeyState,
  keyLine,
  knownHostsName,
  parseFingerprint,
  parseKeyscan,
  parseKnownEntries,
  scanHostKeys,
  trustHostKey,
  type KnownEntry,
} from '../../src/ssh/host-keys.js';
import { knownHostsFile } from '../../src/paths.js';
import { sshWords } from '../../src/borg/argv.js';

// Real public host keys (throw-away), so the fingerprints below are what ssh-keygen -l says of them.
const ED = 'AAAAC3NzaC1lZDI1NTE5AAAAINUKhgyMliroAmbZveURjqbBN4OY0hummuyXWF60WSIf';
const ED_FP = 'SHA256:UVL+3JDotrZqOdyk1yesLUFd48dxpT70x2Gp4FQK4/g';
const RSA =
  'AAAAB3NzaC1yc2EAAAADAQABAAABAQDJH2I0iIbAHCchZir9uIeYaaSTcGSTXO9L2ctd5qmVBAGpcXj/6nXNaBeUEOu39Vp4qlMb+1RfDZhhviEqXj/lHD5M8P54lpq52BDH8/UPhd9f1RRGK8nPVIu71BFnvKiCnoDDITQbf4dCSyyhYH1nhE037hO3KV/pojZLXLkkTnuM2NJ51rd3u8qucIqqVH7IGfnPy/EHTtRjoBUX3DMTMdvv0JOc6obivFOyml5BzAZStxTfCukcElLAQlgDLjP6Z9XKNTlRp3bUHDxI7gfLSpbjQqnBqFAjIUI2aQQCfRc1WltTLTrHuKsts2xL46DkTlFi/N5kyvGlx27jr9wl';
const RSA_FP = 'SHA256:3gokKByc405xTMP0zxW2N63wmGTjsWerNcN1+aFsc6U';
const OTHER = 'AAAAC3NzaC1lZDI1NTE5AAAAIGd1bW15a2V5Zm9ydGVzdHNvbmx5MDEyMzQ1Njc4OWFi';

const ed = { keyType: 'ssh-ed25519', blob: ED };
const rsa = { keyType: 'ssh-rsa', blob: RSA };
const entry = (blob: string, marker: KnownEntry['marker'] = null, keyType = 'ssh-ed25519'): KnownEntry => ({ marker, keyType, blob });

describe('the name known_hosts uses for a server', () => {
  it('is the bare host on port 22 and [host]:port on any other port', () => {
    expect(knownHostsName('box.example', 22)).toBe('box.example');
    expect(knownHostsName('box.example', 23)).toBe('[box.example]:23');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
    expect(knownHostsName('::1', 22)).toBe('::1');
    expect(knownHostsName('::1', 2222)).toBe('[::1]:2222');
  });
});

describe('checkTarget', () => {
  it('accepts host names, IPv4 and IPv6 (with or without brackets), lower-cased as ssh looks them up', () => {
    expect(checkTarget('Box.Example', 22)).toEqual({ host: 'box.example', port: 22 });
    expect(checkTarget('u123.your-storagebox.de', 23)).toEqual({ host: 'u123.your-storagebox.de', port: 23 });
    expect(checkTarget('127.0.0.1', 65535)).toEqual({ host: '127.0.0.1', port: 65535 });
    expect(checkTarget('[fe80::1]', 22)).toEqual({ host: 'fe80::1', port: 22 });
    expect(checkTarget('::1', 1)).toEqual({ host: '::1', port: 1 });
  });

  it('refuses anything ssh could read as an option or that is not a host', () => {
    for (const host of [
      '-oProxyCommand=touch /tmp/x',
      '-p',
      '',
      'a b',
      'host;rm',
      'user@host',
      '../x',
      'a/b',
      '[]',
      'x'.repeat(256),
      ':)',
    ]) {
      expect(checkTarget(host, 22), host).toHaveProperty('error');
    }
  });

  it('refuses ports outside 1–65535 and non-integers', () => {
    for (const port of [0, -1, 65536, 22.5, Number.NaN]) expect(checkTarget('box.example', port), String(port)).toHaveProperty('error');
  });

  it('makes a look or a trust at a bad host or port fail as data, before anything runs', async () => {
    const file = path.join(os.tmpdir(), 'dandelion-never-written-known-hosts');
    const scan = await scanHostKeys('-oProxyCommand=touch /tmp/pwned', 22, { knownHostsFile: file });
    expect(scan).toMatchObject({ ok: false, diagnosis: { message: '"-oProxyCommand=touch /tmp/pwned" is not a host name or address.' } });
    const trust = await trustHostKey('box.example', 0, ED_FP, { knownHostsFile: file });
    expect(trust).toMatchObject({ ok: false, diagnosis: { message: 'Port 0 is not between 1 and 65535.' } });
  });
});

describe('parseKeyscan', () => {
  it('reads each key line and skips the banner comments ssh-keyscan prints', () => {
    const out = [
      '# 127.0.0.1:2222 SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10',
      `[127.0.0.1]:2222 ssh-rsa ${RSA}`,
      '',
      `[127.0.0.1]:2222 ssh-ed25519 ${ED}`,
    ].join('\n');
    expect(parseKeyscan(out)).toEqual([rsa, ed]);
  });

  it('drops malformed lines and a key printed twice', () => {
    const out = [`box ssh-ed25519 ${ED}`, `box ssh-ed25519 ${ED}`, 'box ssh-ed25519', 'box ssh-ed25519 not*base64', 'garbage'].join('\n');
    expect(parseKeyscan(out)).toEqual([ed]);
  });

  it('is empty for no output', () => {
    expect(parseKeyscan('')).toEqual([]);
  });
});

describe('parseFingerprint', () => {
  it('reads the SHA256 fingerprint and the type from ssh-keygen -l', () => {
    expect(parseFingerprint(`256 ${ED_FP} [127.0.0.1]:2222 (ED25519)`)).toEqual({ fingerprint: ED_FP, type: 'ED25519' });
    expect(parseFingerprint(`2048 ${RSA_FP} box.example (RSA)\n`)).toEqual({ fingerprint: RSA_FP, type: 'RSA' });
  });

  it('copes with a comment that has spaces or is missing', () => {
    expect(parseFingerprint(`256 ${ED_FP} no comment (ED25519)`)).toEqual({ fingerprint: ED_FP, type: 'ED25519' });
    expect(parseFingerprint(`256 ${ED_FP} a (b) c (ECDSA)`)).toEqual({ fingerprint: ED_FP, type: 'ECDSA' });
  });

  it('refuses an MD5 fingerprint or an error line', () => {
    expect(parseFingerprint('256 MD5:7b:2f:aa:00 box (ED25519)')).toBeNull();
    expect(parseFingerprint('(stdin) is not a public key file.')).toBeNull();
  });
});

describe('parseKnownEntries', () => {
  it('reads plain, hashed and marked lines from ssh-keygen -F and skips its comments', () => {
    const out = [
      '# Host [127.0.0.1]:2222 found: line 1 ',
      `|1|aE2si+z3iaSI63m6DGJqy8v3YbA=|lqYJW6rNr1qYgPB6XdE9GDxvSbY= ssh-ed25519 ${ED}`,
      '# Host [127.0.0.1]:2222 found: line 3 REVOKED',
      `@revoked [127.0.0.1]:2222 ssh-rsa ${RSA}`,
      `@cert-authority *.example ssh-ed25519 ${OTHER} ca`,
      `[127.0.0.1]:222* ssh-ed25519 ${OTHER} a comment`,
      `@unheard-of box ssh-ed25519 ${OTHER}`,
    ].join('\n');
    expect(parseKnownEntries(out)).toEqual([entry(ED), entry(RSA, 'revoked', 'ssh-rsa'), entry(OTHER, 'cert-authority'), entry(OTHER)]);
  });
});

describe('hostKeyState', () => {
  it('is unknown when nothing is pinned for the host', () => {
    expect(hostKeyState([ed, rsa], [])).toBe('unknown');
    expect(hostKeyState([ed], [entry(OTHER, 'cert-authority')])).toBe('unknown');
  });

  it('is known when an entry holds one of the presented keys, whichever', () => {
    expect(hostKeyState([ed, rsa], [entry(RSA, null, 'ssh-rsa')])).toBe('known');
    expect(hostKeyState([ed], [entry(OTHER), entry(ED)])).toBe('known');
  });

  it('is changed when entries exist but none holds any presented key', () => {
    expect(hostKeyState([ed, rsa], [entry(OTHER)])).toBe('changed');
  });

  it('is changed when a presented key is revoked, even beside a pinned one', () => {
    expect(hostKeyState([ed, rsa], [entry(ED), entry(RSA, 'revoked', 'ssh-rsa')])).toBe('changed');
    expect(hostKeyState([ed], [entry(OTHER, 'revoked')])).toBe('unknown');
  });
});

describe('chooseKey', () => {
  const presented = [
    { ...rsa, type: 'RSA', fingerprint: RSA_FP },
    { ...ed, type: 'ED25519', fingerprint: ED_FP },
  ];

  it('picks the presented key with the confirmed fingerprint', () => {
    expect(chooseKey(presented, ED_FP)?.blob).toBe(ED);
    expect(chooseKey(presented, RSA_FP)?.blob).toBe(RSA);
  });

  it('ignores base64 padding and surrounding spaces, but not case', () => {
    expect(chooseKey(presented, ` ${ED_FP}= `)?.blob).toBe(ED);
    expect(chooseKey(presented, ED_FP.toLowerCase())).toBeNull();
  });

  it('finds nothing for a fingerprint the server does not present', () => {
    expect(chooseKey(presented, 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBeNull();
    expect(chooseKey(presented, '')).toBeNull();
    expect(chooseKey([], ED_FP)).toBeNull();
  });
});

describe('the line added', () => {
  it('is NAME keytype base64 and nothing else', () => {
    expect(keyLine('[127.0.0.1]:2222', ed)).toBe(`[127.0.0.1]:2222 ssh-ed25519 ${ED}`);
  });

  it('starts on a line of its own and ends with a newline', () => {
    expect(appendix(null, 'L')).toBe('L\n');
    expect(appendix('', 'L')).toBe('L\n');
    expect(appendix('a b c\n', 'L')).toBe('L\n');
    expect(appendix('a b c', 'L')).toBe('\nL\n');
  });
});

describe('knownHostsFile', () => {
  it('is ~/.ssh/known_hosts unless DANDELION_KNOWN_HOSTS names another file', () => {
    expect(knownHostsFile({})).toBe(path.join(os.homedir(), '.ssh', 'known_hosts'));
    expect(knownHostsFile({ DANDELION_KNOWN_HOSTS: '' })).toBe(path.join(os.homedir(), '.ssh', 'known_hosts'));
    expect(knownHostsFile({ DANDELION_KNOWN_HOSTS: '/tmp/kh' })).toBe('/tmp/kh');
    expect(knownHostsFile({ DANDELION_KNOWN_HOSTS: '~/kh' })).toBe(path.join(os.homedir(), 'kh'));
  });

  it("is the file borg's ssh verifies against", () => {
    const before = process.env.DANDELION_KNOWN_HOSTS;
    process.env.DANDELION_KNOWN_HOSTS = '/tmp/dandelion-kh';
    try {
      expect(sshWords({})).toContain('UserKnownHostsFile=/tmp/dandelion-kh');
    } finally {
      if (before === undefined) delete process.env.DANDELION_KNOWN_HOSTS;
      else process.env.DANDELION_KNOWN_HOSTS = before;
    }
  });
});
