/**
 * `passcommand`: a command whose output is the passphrase (a password manager's CLI, `security
 * find-generic-password …`). Dandelion runs it itself — split like borg splits it (POSIX shell
 * words, no shell), with a time limit — and hands the answer to borg on the passphrase pipe. A
 * helper that hangs (waiting for a prompt nobody sees) then ends in a diagnosis, not a silent run.
 */
import { spawn } from 'node:child_process';
import { scrubbedEnv } from '../borg/env.js';

export const PASSCOMMAND_TIMEOUT_MS = 60_000;

/** Shell-like word splitting without a shell: quotes, backslash escapes, nothing expanded. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < command.length && '"\\$`\n'.includes(command[i + 1]!)) word += command[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

export type PasscommandResult = { ok: true; passphrase: string } | { ok: false; reason: string };

/** Runs the passcommand with a time limit; its stdout without the trailing newline is the passphrase. */
export function runPasscommand(command: string, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<PasscommandResult> {
  let argv: string[];
  try {
    argv = splitCommand(command);
  } catch (err) {
    return Promise.resolve({ ok: false, reason: `it cannot be read as a command (${(err as Error).message})` });
  }
  if (!argv.length) return Promise.resolve({ ok: false, reason: 'it is empty' });
  const timeoutMs = opts.timeoutMs ?? PASSCOMMAND_TIMEOUT_MS;
  return new Promise((resolve) => {
    // Its own process group: a helper that started children of its own is ended whole on timeout.
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: scrubbedEnv(opts.env ?? process.env),
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.length < 64 && err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `it could not be started (${e.message})` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut)
        return resolve({
          ok: false,
          reason: `it gave no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`,
        });
      const stderr = Buffer.concat(err).toString('utf8').trim().split('\n')[0] ?? '';
      if (code !== 0)
        return resolve({ ok: false, reason: `it failed (${signal ?? `exit ${code}`})${stderr ? `: ${stderr.slice(0, 200)}` : ''}` });
      const passphrase = Buffer.concat(out)
        .toString('utf8')
        .replace(/\r?\n$/, '');
      if (!passphrase) return resolve({ ok: false, reason: 'it printed nothing' });
      resolve({ ok: true, passphrase });
    });
  });
}
