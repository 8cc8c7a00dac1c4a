/**
 * A server's SSH host key, seen and trusted from the preferences window: what the server presents
 * (`ssh-keyscan`), whether known_hosts already vouches for it (`ssh-keygen -F`, which reads hashed
 * entries and patterns too), and adding the one key the user compared. A changed key is never added.
 *
 * The file is the one borg's ssh verifies against (`knownHostsFile()`, also behind
 * `UserKnownHostsFile=` in borg/argv.ts), so a key trusted here is a key the next backup accepts.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Diagnosis } from '../diagnosis.js';
import { diagnosisFor } from '../messages.js';
import { failed, guard, ok, type Outcome } from '../engine/outcome.js';
import { knownHostsFile as defaultKnownHostsFile } from '../paths.js';

export type HostKeyState = 'known' | 'unknown' | 'changed';

export interface HostKeyReport {
  host: string;
  port: number;
  state: HostKeyState;
  /** The keys the server presents, as `ssh-keygen -l` shows them (`ED25519`, `SHA256:…`). */
  keys: { type: string; fingerprint: string }[];
  knownHostsFile: string;
}

export interface HostKeyOptions {
  /** Defaults to `knownHostsFile()`: `DANDELION_KNOWN_HOSTS`, else ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  timeoutMs?: number;
}

/** A key as ssh-keyscan prints it and known_hosts stores it: the algorithm and the base64 blob. */
export interface ScannedKey {
  keyType: string;
  blob: string;
}

export interface PresentedKey extends ScannedKey {
  type: string;
  fingerprint: string;
}

export interface KnownEntry extends ScannedKey {
  marker: 'revoked' | 'cert-authority' | null;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const KEY_TYPES = 'ed25519,ecdsa,rsa';
const BASE64 = /^[A-Za-z0-9+/]+=*$/;
const KEY_TYPE = /^[A-Za-z0-9@.-]+$/;
const HOST_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;

// ---------------------------------------------------------------------------------------------
// Pure parts

/**
 * The host as ssh would look it up, or why it is refused. Only host-name characters and IPv6
 * literals (brackets optional) pass, never a leading `-`: the host reaches ssh-keyscan and
 * ssh-keygen as an argument. Lower case, because ssh lowercases the host before it reads known_hosts.
 */
export function checkTarget(host: string, port: number): { host: string; port: number } | { error: string } {
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { error: `Port ${String(port)} is not between 1 and 65535.` };
  const bare = /^\[[^\]]*\]$/.test(host) ? host.slice(1, -1) : host;
  const isName = HOST_NAME.test(bare);
  const isIpv6 = bare.includes(':') && IPV6.test(bare);
  if (bare.length === 0 || bare.length > 255 || !(isName || isIpv6)) return { error: `"${host}" is not a host name or address.` };
  return { host: bare.toLowerCase(), port };
}

/** The host as known_hosts names it: `host` on port 22, `[host]:port` elsewhere (as ssh writes it). */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** `ssh-keyscan` stdout: `name keytype base64` per line; comments and anything malformed are skipped, duplicates too. */
export function parseKeyscan(stdout: string): ScannedKey[] {
  const keys: ScannedKey[] = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [, keyType, blob] = line.split(/\s+/);
    if (!keyType || !blob || !KEY_TYPE.test(keyType) || !BASE64.test(blob)) continue;
    if (!keys.some((k) => k.blob === blob)) keys.push({ keyType, blob });
  }
  return keys;
}

/** One line of `ssh-keygen -l`: `256 SHA256:… comment (ED25519)` (the comment may hold spaces or be `no comment`). */
export function parseFingerprint(line: string): { type: string; fingerprint: string } | null {
  const m = /^\d+\s+(SHA256:[A-Za-z0-9+/]+=*)\s.*\(([^()\s]+)\)\s*$/.exec(line.trim());
  return m ? { fingerprint: m[1]!, type: m[2]! } : null;
}

/**
 * `ssh-keygen -F NAME` stdout: the matching known_hosts lines (hashed or not), each after a
 * `# Host … found` comment. A line may start with a marker (`@revoked`, `@cert-authority`).
 */
export function parseKnownEntries(stdout: string): KnownEntry[] {
  const entries: KnownEntry[] = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownEntry['marker'] = null;
    if (fields[0]?.startsWith('@')) {
      if (fields[0] === '@revoked') marker = 'revoked';
      else if (fields[0] === '@cert-authority') marker = 'cert-authority';
      else continue;
      fields.shift();
    }
    const [, keyType, blob] = fields;
    if (!keyType || !blob || !BASE64.test(blob)) continue;
    entries.push({ marker, keyType, blob });
  }
  return entries;
}

/**
 * 'known' when an entry for the host holds one of the keys presented; 'changed' when there are
 * entries but none holds any of them, or a presented key is revoked (ssh would refuse it, and so
 * must the user); 'unknown' when nothing is pinned for the host. Certificate authorities pin no key
 * of their own and are left out.
 */
export function hostKeyState(presented: ScannedKey[], entries: KnownEntry[]): HostKeyState {
  const shown = new Set(presented.map((k) => k.blob));
  if (entries.some((e) => e.marker === 'revoked' && shown.has(e.blob))) return 'changed';
  const pinned = entries.filter((e) => e.marker === null);
  if (pinned.length === 0) return 'unknown';
  return pinned.some((e) => shown.has(e.blob)) ? 'known' : 'changed';
}

function sameFingerprint(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().replace(/=+$/, '');
  return norm(a) === norm(b);
}

/** The presented key the user confirmed, by its SHA256 fingerprint; null when the server no longer presents it. */
export function chooseKey<K extends { fingerprint: string }>(presented: K[], fingerprint: string): K | null {
  return presented.find((k) => sameFingerprint(k.fingerprint, fingerprint)) ?? null;
}

/** The one line added to known_hosts. */
export function keyLine(name: string, key: ScannedKey): string {
  return `${name} ${key.keyType} ${key.blob}`;
}

/** What to append so the existing text stays as it was and the new line stands on its own. */
export function appendix(existing: string | null, line: string): string {
  return `${existing && !existing.endsWith('\n') ? '\n' : ''}${line}\n`;
}

// ---------------------------------------------------------------------------------------------
// Talking to the server and the file

interface Seen {
  name: string;
  presented: PresentedKey[];
  state: HostKeyState;
}

type Target = { host: string; port: number };

function where(t: Target): string {
  return t.port === 22 ? t.host : `${t.host} (port ${t.port})`;
}

function lastReason(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  return lines.at(-1);
}

async function presentedKeys(t: Target, name: string, timeoutMs: number): Promise<PresentedKey[] | Diagnosis> {
  const scan = await execa(
    'ssh-keyscan',
    ['-p', String(t.port), '-T', String(Math.max(1, Math.ceil(timeoutMs / 1000))), '-t', KEY_TYPES, '--', t.host],
    { reject: false, timeout: timeoutMs, stdin: 'ignore' },
  );
  const scanned = parseKeyscan(scan.stdout);
  if (scanned.length === 0) {
    const detail = scan.timedOut ? `timed out after ${timeoutMs} ms` : (lastReason(scan.stderr) ?? scan.shortMessage);
    return {
      kind: 'connection-lost',
      message: `Could not connect to ${where(t)} to read its host key.`,
      fix: 'Check the server name and port, the network, and that the server is up, then look again.',
      ...(detail ? { detail } : {}),
    };
  }
  // One ssh-keygen per key: the fingerprint then belongs to exactly the line that would be added.
  const keys = await Promise.all(
    scanned.map(async (k) => {
      const r = await execa('ssh-keygen', ['-l', '-E', 'sha256', '-f', '-'], { input: `${keyLine(name, k)}\n`, reject: false });
      const fp = r.exitCode === 0 ? parseFingerprint(r.stdout.split('\n')[0] ?? '') : null;
      return fp ? { ...k, ...fp } : null;
    }),
  );
  return keys.filter((k): k is PresentedKey => k !== null);
}

/** The known_hosts entries for NAME; none when the file does not exist. */
async function knownEntries(name: string, file: string): Promise<KnownEntry[]> {
  try {
    await fs.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const r = await execa('ssh-keygen', ['-F', name, '-f', file], { reject: false, stdin: 'ignore' });
  if (r.exitCode === 0) return parseKnownEntries(r.stdout);
  if (r.exitCode === 1) return [];
  throw new Error(`Could not read ${file}: ${r.stderr.trim() || r.shortMessage}`);
}

async function look(t: Target, file: string, timeoutMs: number): Promise<Seen | Diagnosis> {
  const name = knownHostsName(t.host, t.port);
  const [presented, entries] = await Promise.all([presentedKeys(t, name, timeoutMs), knownEntries(name, file)]);
  if (!Array.isArray(presented)) return presented;
  return { name, presented, state: hostKeyState(presented, entries) };
}

function invalid(error: string): Diagnosis {
  return { kind: 'unknown', message: error, fix: 'Check the server name and port in the repository location.' };
}

function describeKeys(keys: PresentedKey[]): string {
  return keys.map((k) => `${k.type} ${k.fingerprint}`).join(', ');
}

function changed(t: Target, file: string, seen: Seen): Diagnosis {
  const ctx = {
    repository: `ssh://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}/`,
    platform: process.platform,
    passphraseSupplied: false,
  };
  return diagnosisFor(
    'ssh-host-changed',
    ctx,
    `${file} holds other keys for ${seen.name}; the server presents ${describeKeys(seen.presented)}`,
  );
}

function notPresented(t: Target, fingerprint: string, seen: Seen): Diagnosis {
  return {
    kind: 'ssh-host-unknown',
    message: `${where(t)} does not present the key ${fingerprint} now, so it was not trusted.`,
    fix: "The server's key changed after it was shown. Look at its fingerprint again and compare it with the one the server's administrator gives you before trusting it.",
    detail: `the server presents ${describeKeys(seen.presented) || 'no key'}`,
  };
}

async function appendLine(file: string, line: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const existing = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  // 'a' opens with O_APPEND: whatever else is in the file stays; the mode applies only when it is created.
  const fh = await fs.open(file, 'a', 0o600);
  try {
    await fh.writeFile(appendix(existing, line));
  } finally {
    await fh.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The calls

/** What the server presents and whether known_hosts already trusts it. */
export function scanHostKeys(host: string, port: number, opts: HostKeyOptions = {}): Promise<Outcome<HostKeyReport>> {
  return guard({}, async () => {
    const t = checkTarget(host, port);
    if ('error' in t) return failed(invalid(t.error));
    const file = opts.knownHostsFile ?? defaultKnownHostsFile();
    const seen = await look(t, file, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if ('kind' in seen) return failed(seen);
    return ok({
      host: t.host,
      port: t.port,
      state: seen.state,
      keys: seen.presented.map((k) => ({ type: k.type, fingerprint: k.fingerprint })),
      knownHostsFile: file,
    });
  });
}

/**
 * Adds the one key whose fingerprint the user confirmed, after looking again: a key that is no longer
 * presented (it changed between display and click) or a host whose key changed is refused and the
 * file left as it was; a host already known is left alone (`added` is then empty).
 */
export function trustHostKey(
  host: string,
  port: number,
  fingerprint: string,
  opts: HostKeyOptions = {},
): Promise<Outcome<{ added: string; knownHostsFile: string }>> {
  return guard({}, async () => {
    const t = checkTarget(host, port);
    if ('error' in t) return failed(invalid(t.error));
    const file = opts.knownHostsFile ?? defaultKnownHostsFile();
    const seen = await look(t, file, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if ('kind' in seen) return failed(seen);
    // A changed key first: that refusal is the one that matters, whichever fingerprint was sent.
    if (seen.state === 'changed') return failed(changed(t, file, seen));
    const key = chooseKey(seen.presented, fingerprint);
    if (!key) return failed(notPresented(t, fingerprint, seen));
    if (seen.state === 'known') return ok({ added: '', knownHostsFile: file });
    const line = keyLine(seen.name, key);
    await appendLine(file, line);
    return ok({ added: line, knownHostsFile: file });
  });
}
