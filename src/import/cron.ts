/**
 * Imports crontab lines: `MIN HOUR DAY MONTH WEEKDAY command` or `@daily command` becomes the
 * schedule of the profiles the command makes (a script it runs, read through ctx, or borg on the
 * line itself); `NAME=value` lines are the environment those commands get. Each line that ran a
 * backup is an old job to delete with `crontab -e`.
 */
import path from 'node:path';
import type { ImportContext } from './context.js';
import { emptyImport, type ImportResult, type ReportItem, type SourceRef } from './model.js';
import { expandWord, parseScript, plainText, assignmentOf } from './shell-words.js';
import { display, isBorgProgram, maskUrls, readShellScript } from './shell.js';
import { parseCron } from '../schedule/cron.js';

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh']);
/** One field of a cron schedule: `*`, numbers, three-letter names, with `-`, `/`, `,` (not `borg` or `--keep-daily`). */
const CRON_FIELD = /^(?:\*|\d+|[A-Za-z]{3}|[LW?])(?:[-/,](?:\*|\d+|[A-Za-z]{3}|[LW]))*$/;
const ENV_LINE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

/** A crontab line taken apart: its schedule words and its command, or null for other lines. */
export function cronLine(line: string, systemCrontab = false): { when: string; command: string } | null {
  const trimmed = line.trim();
  if (!trimmed || trimmed.startsWith('#') || ENV_LINE.test(trimmed)) return null;
  const words = trimmed.split(/\s+/);
  const fieldCount = words[0]!.startsWith('@') ? 1 : 5;
  const skip = fieldCount + (systemCrontab ? 1 : 0);
  if (words.length <= skip) return null;
  if (fieldCount === 5 && !words.slice(0, 5).every((w) => CRON_FIELD.test(w))) return null;
  // The command is the rest of the line as written (its own spacing and quotes).
  let rest = trimmed;
  for (let i = 0; i < skip; i++) rest = rest.replace(/^\S+\s+/, '');
  return { when: words.slice(0, fieldCount).join(' '), command: rest };
}

/** Whether a text reads as a crontab: every line is blank, a comment, an environment line or a cron line. */
export function looksLikeCrontab(text: string): boolean {
  let any = false;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#') || ENV_LINE.test(t)) continue;
    if (!cronLine(t) && !cronLine(t, true)) return false;
    any = true;
  }
  return any;
}

/** cron's `%` ends the command (the rest is its standard input); `\%` is a plain `%`. */
function commandPart(command: string): string {
  let out = '';
  for (let i = 0; i < command.length; i++) {
    if (command[i] === '\\' && command[i + 1] === '%') {
      out += '%';
      i++;
    } else if (command[i] === '%') break;
    else out += command[i];
  }
  return out;
}

/** A crontab line for the report, without a passphrase on it. */
function shown(lineText: string): string {
  const cmds = parseScript(lineText).commands;
  if (!cmds.some((c) => c.words.some((w) => /PASSPHRASE/.test(assignmentOf(w)?.name ?? '')))) return maskUrls(lineText.trim());
  return cmds.map((c) => display(c, lineText)).join(' ');
}

export function readCrontab(text: string, file: string, ctx: ImportContext): ImportResult {
  const result = emptyImport('cron', file);
  const system = file === '/etc/crontab' || file.startsWith('/etc/cron.d/');
  const env: Record<string, { value: string; at: SourceRef }> = {};
  const lines = text.split('\n');
  lines.forEach((lineText, index) => {
    const lineNo = index + 1;
    const at: SourceRef = { file, line: lineNo };
    const envLine = ENV_LINE.exec(lineText);
    if (envLine && !lineText.trim().startsWith('#')) {
      // cron takes the value as written, quotes stripped, nothing expanded.
      env[envLine[1]!] = { value: envLine[2]!.trim().replace(/^(['"])(.*)\1$/, '$2'), at };
      return;
    }
    const entry = cronLine(lineText, system);
    if (!entry) return;
    const items: Omit<ReportItem, 'profile'>[] = [];
    let schedule: string | null = null;
    if (entry.when.toLowerCase() === '@reboot') {
      items.push({
        kind: 'note',
        message:
          'The line ran at start-up (@reboot); Dandelion runs a backup that is due when it starts, so the profile has no schedule of its own.',
        at,
      });
    } else {
      const parsed = parseCron(entry.when);
      if (parsed.ok) {
        schedule = parsed.expression;
        items.push({ kind: 'carried', message: `Runs on the schedule "${parsed.expression}", as the crontab line did.`, at });
      } else items.push({ kind: 'dropped', message: `The schedule "${entry.when}" is left out: ${parsed.error}.`, at });
    }

    const imported = runs(commandPart(entry.command), file, lineNo, env, ctx, items);
    if (!imported) return;
    // A line that runs borg (or a backup script not readable here) is an old backup job; others are not ours.
    const hasBorg =
      imported.profiles.length > 0 || items.some((i) => i.kind === 'todo') || imported.report.some((r) => /\bborg\b/.test(r.message));
    if (!hasBorg) {
      result.report.push({ kind: 'note', profile: null, message: 'This crontab line runs no borg backup; left alone.', at });
      return;
    }
    for (const p of imported.profiles) if (schedule !== null) p.schedule = schedule;
    const name = shown(lineText);
    result.oldJobs.push({ kind: 'cron', name, at, howToStop: 'crontab -e, then delete this line' });
    items.push({
      kind: 'todo',
      message: `Once Dandelion runs these backups, delete crontab line ${lineNo} ("${name}") with crontab -e, so they do not run twice.`,
      at,
    });
    const profile = imported.profiles.length === 1 ? imported.profiles[0]!.id : null;
    result.files.push(...imported.files.filter((f) => f !== file && !result.files.includes(f)));
    result.profiles.push(...imported.profiles);
    result.secrets.push(...imported.secrets);
    result.report.push(...items.map((i) => ({ ...i, profile })), ...imported.report);
  });
  if (!result.oldJobs.length && !result.report.length) {
    result.report.push({ kind: 'note', profile: null, message: 'The crontab runs no borg backup.', at: { file, line: null } });
  }
  return result;
}

/** What a crontab command runs: a script (read and imported), or borg on the line itself. */
function runs(
  command: string,
  file: string,
  lineNo: number,
  cronEnv: Record<string, { value: string; at: SourceRef }>,
  ctx: ImportContext,
  items: Omit<ReportItem, 'profile'>[],
): ImportResult | null {
  const at: SourceRef = { file, line: lineNo };
  const home = cronEnv.HOME?.value ?? ctx.home;
  let cwd = home;
  const env = { ...cronEnv };
  const scope = {
    home,
    get: (name: string) => (env[name] ? { text: env[name].value, subst: null, unset: [], unsupported: null } : undefined),
  };
  for (const cmd of parseScript(command).commands) {
    const words = [...cmd.words];
    while (words.length && assignmentOf(words[0]!)) {
      const a = assignmentOf(words.shift()!)!;
      env[a.name] = { value: expandWord(a.value, scope, false).fields.join(''), at };
    }
    const argv = words.flatMap((w) => expandWord(w, scope).fields);
    const program = argv[0];
    if (!program) continue;
    if (program === 'cd') {
      cwd = path.posix.resolve(cwd, argv[1] ?? home);
      continue;
    }
    if (isBorgProgram(program) || words.some((w) => plainText(w) !== null && isBorgProgram(plainText(w)!))) {
      return readShellScript(command, file, ctx, { env, cwd, lineOf: () => lineNo });
    }
    const script = SHELLS.has(path.posix.basename(program)) ? argv.slice(1).find((a) => !a.startsWith('-')) : program;
    const dashC = argv.findIndex((a, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(a));
    if (SHELLS.has(path.posix.basename(program)) && dashC !== -1) {
      return readShellScript(argv[dashC + 1] ?? '', file, ctx, { env, cwd, lineOf: () => lineNo });
    }
    if (script === undefined) continue;
    const full = path.posix.resolve(cwd, script);
    const content = ctx.readFile(full);
    if (content === null) {
      if (/borg|backup/i.test(script)) {
        items.push({
          kind: 'todo',
          message: `The script ${script} this line runs could not be read here: import it too, or make the profile by hand.`,
          at,
        });
      }
      continue;
    }
    items.push({ kind: 'carried', message: `The line runs ${full}, imported with it.`, at });
    return readShellScript(content, full, ctx, { env, cwd });
  }
  return items.length ? emptyImport('cron', file) : null;
}
