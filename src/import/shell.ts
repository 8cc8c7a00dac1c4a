/**
 * Imports a shell script that runs borg: walks it command by command as sh would (shell-words.ts),
 * keeping the variables it sets, and turns each `borg create` into a profile, with the `prune`,
 * `check` and `compact` of the same repository. Nothing in the script is run: a word that needs a
 * command to run (`$(…)`) is reported as not importable, and every command around borg (hooks,
 * mounts, notifications, loops) is listed as left out, line by line, with why.
 */
import path from 'node:path';
import type { ImportContext } from './context.js';
import type { ImportResult, SourceRef } from './model.js';
import { assignmentOf, expandWord, parseScript, plainText, type RawCommand, type RawWord, type Scope, type Value } from './shell-words.js';
import { OUTPUT_ONLY, readBorgCall, type Arg, type BorgCall, type BorgOption } from './borg-call.js';
import { parseLocation } from '../borg/location.js';
import type { PruneRules } from '../profiles/schema.js';
import { profilesFromCalls, type CreateCall, type Pending, type SideCall } from './shell-profiles.js';

export interface ShellOptions {
  /** For a script made up from another file (a plist's ProgramArguments): its line → the real line. */
  lineOf?: (line: number) => number;
  /** Variables the script starts with (a plist's EnvironmentVariables, a crontab's lines `NAME=value`). */
  env?: Record<string, { value: string; at: SourceRef }>;
  /** The folder it starts in, when known (a plist's WorkingDirectory, `cd` before it in a crontab line). */
  cwd?: string;
}

interface Var {
  value: Value;
  exported: boolean;
  at: SourceRef;
}

/** Commands that change nothing a backup does (messages, tests, shell settings). */
const QUIET = new Set([
  'echo',
  'printf',
  'true',
  'false',
  ':',
  'set',
  'shopt',
  'exit',
  'return',
  'trap',
  'logger',
  'date',
  '[',
  '[[',
  'test',
  'umask',
  'wait',
  'shift',
  'let',
  'read',
  'exec',
]);

/** Words a command may start with that are shell syntax, not the command. */
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', '{', '}', '!', 'esac', 'time']);

/** Programs that run the command after their own options: `nice -n 19 borg …`. Value: options that take a value. */
const WRAPPERS: Record<string, string[]> = {
  nice: ['-n'],
  ionice: ['-c', '-n', '-p'],
  caffeinate: ['-t', '-w'],
  exec: ['-a'],
  nohup: [],
  command: [],
  time: [],
  env: ['-u', '-C'],
  sudo: ['-u', '-g', '-h', '-p', '-C'],
  timeout: ['-s', '-k', '--signal', '--kill-after'],
  taskpolicy: ['-c', '-d', '-g', '-t', '-l'],
  chronic: [],
};

/** Why a command around the backup is left out, for the ones people use most. */
const HOOK_WHY: Record<string, string> = {
  sleep: 'Dandelion waits until the repository is readable by itself',
  mount: 'Dandelion waits for the backup disk by itself',
  diskutil: 'Dandelion waits for the backup disk by itself',
  osascript: 'Dandelion sends its own notifications',
  'terminal-notifier': 'Dandelion sends its own notifications',
  curl: "a ping is set in the profile's monitoring settings instead",
  wget: "a ping is set in the profile's monitoring settings instead",
  borgmatic: 'import the borgmatic configuration file instead',
  pgrep: 'Dandelion never runs two borg processes on one repository',
  pidof: 'Dandelion never runs two borg processes on one repository',
};

const BORG_ENV_HANDLED = new Set(['BORG_REPO', 'BORG_PASSPHRASE', 'BORG_PASSCOMMAND', 'BORG_RSH']);
const BORG_ENV_HARMLESS = new Set([
  'BORG_RELOCATED_REPO_ACCESS_IS_OK',
  'BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK',
  'BORG_DISPLAY_PASSPHRASE',
  'BORG_NEW_PASSPHRASE',
  'BORG_EXIT_CODES',
  'BORG_HOSTNAME_IS_UNIQUE',
  'BORG_CHECK_I_KNOW_WHAT_I_AM_DOING',
  'BORG_DELETE_I_KNOW_WHAT_I_AM_DOING',
]);

const KEEP: Record<string, keyof PruneRules> = {
  '--keep-within': 'keepWithin',
  '--keep-last': 'keepLast',
  '--keep-minutely': 'keepMinutely',
  '--keep-hourly': 'keepHourly',
  '--keep-daily': 'keepDaily',
  '--keep-weekly': 'keepWeekly',
  '--keep-monthly': 'keepMonthly',
  '--keep-yearly': 'keepYearly',
};

export function isBorgProgram(word: string): boolean {
  return /^borg[0-9.]*$/.test(path.posix.basename(word));
}

/** What a home-folder path is called in config.json: `~/Documents`, not `/Users/me/Documents`. */
export function tildePath(p: string, home: string): string {
  if (p === home) return '~';
  return p.startsWith(`${home}/`) ? `~/${p.slice(home.length + 1)}` : p;
}

/** Reads a script; see the module comment. */
export function readShellScript(text: string, file: string, ctx: ImportContext, opts: ShellOptions = {}): ImportResult {
  const reader = new ShellImport(ctx);
  for (const [name, v] of Object.entries(opts.env ?? {})) reader.setEnv(name, v.value, v.at);
  if (opts.cwd !== undefined) reader.cwd = opts.cwd;
  return reader.run(text, file, opts.lineOf ?? ((n) => n));
}

class ShellImport {
  private vars = new Map<string, Var>();
  cwd: string | null = null;
  private loops: { at: SourceRef; what: string }[] = [];
  private inCase = false;
  private functions = new Set<string>();
  private creates: CreateCall[] = [];
  private sides: SideCall[] = [];
  private general: Pending[] = [];
  private secretsTold = new Set<string>();
  private envTold = new Set<string>();
  private files: string[] = [];
  private depth = 0;
  private sourced = 0;

  constructor(private readonly ctx: ImportContext) {
    const fromMachine: Record<string, string> = { HOME: ctx.home, USER: ctx.user, LOGNAME: ctx.user, HOSTNAME: ctx.hostname };
    for (const [name, text] of Object.entries(fromMachine)) {
      this.vars.set(name, { value: { text, subst: null, unset: [], unsupported: null }, exported: true, at: { file: '', line: null } });
    }
  }

  setEnv(name: string, text: string, at: SourceRef): void {
    this.vars.set(name, { value: { text, subst: null, unset: [], unsupported: null }, exported: true, at });
  }

  run(text: string, file: string, lineOf: (n: number) => number): ImportResult {
    this.walk(text, file, lineOf);
    return profilesFromCalls({ creates: this.creates, sides: this.sides, general: this.general, files: this.files, file, ctx: this.ctx });
  }

  private scope(overlay?: Map<string, Var>): Scope {
    return { home: this.ctx.home, get: (name) => (overlay?.get(name) ?? this.vars.get(name))?.value };
  }

  private walk(raw: string, file: string, lineOf: (n: number) => number): void {
    if (!this.files.includes(file)) this.files.push(file);
    const text = raw.replace(/\r\n?/g, '\n');
    const parsed = parseScript(text);
    for (const problem of parsed.problems) {
      this.general.push({
        kind: 'dropped',
        message: `The script cannot be read past this point: ${problem.message}.`,
        at: { file, line: lineOf(problem.line) },
      });
    }
    for (const cmd of parsed.commands) this.command(cmd, text, file, lineOf);
  }

  private command(cmd: RawCommand, text: string, file: string, lineOf: (n: number) => number): void {
    const at: SourceRef = { file, line: lineOf(cmd.line) };
    if (cmd.defines !== undefined) {
      this.functions.add(cmd.defines);
      return;
    }
    const words = [...cmd.words];
    while (words.length) {
      const kw = plainText(words[0]!);
      if (kw === 'esac') this.inCase = false;
      if (this.inCase) return;
      if (kw === 'for' || kw === 'select' || kw === 'while' || kw === 'until') {
        this.loops.push({ at, what: display(cmd, text) });
        if (kw === 'for' || kw === 'select') return;
        words.shift();
        continue;
      }
      if (kw === 'case') {
        this.inCase = true;
        this.general.push({
          kind: 'dropped',
          message: `"${display(cmd, text)}" and what it chooses between are not followed: a case statement picks at run time.`,
          at,
        });
        return;
      }
      if (kw === 'done') this.loops.pop();
      if (kw === null || !KEYWORDS.has(kw)) break;
      words.shift();
    }
    if (!words.length) return;

    const prefix: RawWord[] = [];
    while (words.length && assignmentOf(words[0]!)) prefix.push(words.shift()!);
    if (!words.length) {
      for (const w of prefix) this.assign(w, at, false);
      return;
    }
    const overlay = new Map<string, Var>();
    for (const w of prefix) {
      const a = assignmentOf(w)!;
      overlay.set(a.name, { value: this.valueOf(w, this.scope()), exported: true, at });
    }

    const head = plainText(words[0]!) ?? '';
    if (['export', 'declare', 'typeset', 'local', 'readonly'].includes(head)) {
      const exported = head === 'export' || words.slice(1).some((w) => /^-\w*x/.test(plainText(w) ?? ''));
      for (const w of words.slice(1)) {
        if (assignmentOf(w)) this.assign(w, at, exported);
        else {
          const name = plainText(w);
          const known = name === null ? undefined : this.vars.get(name);
          if (known && exported) known.exported = true;
        }
      }
      return;
    }
    if (head === 'unset') {
      for (const w of words.slice(1)) this.vars.delete(plainText(w) ?? '');
      return;
    }

    const args = this.expandArgs(words, overlay);
    if (!args.length) return;
    this.runCommand(args, overlay, { ...cmd, words }, text, at);
  }

  private runCommand(argv: Arg[], overlay: Map<string, Var>, cmd: RawCommand, text: string, at: SourceRef): void {
    let args = argv;
    let sudo = false;
    for (;;) {
      const program = args[0]?.text ?? '';
      const valueFlags = WRAPPERS[program];
      if (valueFlags === undefined) break;
      if (program === 'sudo') sudo = true;
      let i = 1;
      while (i < args.length && args[i]!.text.startsWith('-')) {
        i += valueFlags.includes(args[i]!.text) ? 2 : 1;
      }
      if (program === 'env') {
        while (i < args.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[i]!.text)) {
          const [name, ...rest] = args[i]!.text.split('=');
          overlay.set(name!, {
            value: { text: rest.join('='), subst: args[i]!.unknowable, unset: [], unsupported: null },
            exported: true,
            at,
          });
          i++;
        }
      }
      if (program === 'timeout' && i < args.length) i++;
      args = args.slice(i);
    }
    const program = args[0];
    if (!program) return;
    const name = program.text;

    if (isBorgProgram(name)) {
      if (this.loops.length) {
        const loop = this.loops[this.loops.length - 1]!;
        this.general.push({
          kind: 'dropped',
          message: `"${display(cmd, text)}" runs inside a loop (line ${loop.at.line ?? '?'}: "${loop.what}"): the repositories or archives it goes over are only known at run time; make a profile for each by hand.`,
          at,
        });
        return;
      }
      if (sudo) this.general.push({ kind: 'note', message: 'The script runs borg through sudo, as root; Dandelion runs borg as you.', at });
      this.borg(program, args.slice(1), overlay, cmd, text, at);
      return;
    }
    if (name === 'cd') {
      const dir = args[1];
      this.cwd = dir && !dir.unknowable ? path.posix.resolve(this.cwd ?? this.ctx.home, dir.text) : dir ? null : this.ctx.home;
      return;
    }
    if (name === 'source' || name === '.') {
      this.source(args[1], cmd, text, at);
      return;
    }
    // The second half of `[[ -d a && -w b ]]`, which the reader splits at the `&&`.
    if (QUIET.has(name) || this.functions.has(name) || name.startsWith('-') || name === ']]') return;
    if (name.includes('/') && this.runScript(name, at)) return;
    // What a sourced settings file (a .zshrc) runs is not a hook of the backup.
    if (this.sourced > 0) return;
    const why = HOOK_WHY[path.posix.basename(name)] ?? 'Dandelion runs no commands of its own before or after a backup';
    this.general.push({ kind: 'dropped', message: `"${display(cmd, text)}" is not carried over: ${why}.`, at });
  }

  /** Another script this one runs (`~/bin/borg-run.sh`): read (never run) as part of it when it calls borg. */
  private runScript(name: string, at: SourceRef): boolean {
    if (this.depth >= 5) return false;
    const file = path.posix.resolve(this.cwd ?? this.ctx.home, name);
    const content = this.ctx.readFile(file);
    if (content === null || !/\bborg\b/.test(content)) return false;
    this.general.push({ kind: 'carried', message: `The script runs ${file}, which is read with it.`, at });
    this.depth++;
    this.walk(content, file, (n) => n);
    this.depth--;
    return true;
  }

  /** `source FILE`: read (never run) through ctx, as part of this script. */
  private source(target: Arg | undefined, cmd: RawCommand, text: string, at: SourceRef): void {
    const file = target && !target.unknowable ? path.posix.resolve(this.cwd ?? this.ctx.home, target.text) : null;
    const content = file !== null && this.depth < 5 ? this.ctx.readFile(file) : null;
    if (file === null || content === null) {
      this.general.push({
        kind: 'dropped',
        message: `"${display(cmd, text)}" is not followed: the file it reads could not be read here.`,
        at,
      });
      return;
    }
    this.depth++;
    this.sourced++;
    this.walk(content, file, (n) => n);
    this.sourced--;
    this.depth--;
  }

  private valueOf(word: RawWord, scope: Scope): Value {
    const a = assignmentOf(word)!;
    if (word.array) {
      const items: string[] = [];
      const value: Value = { text: '', items, subst: null, unset: [], unsupported: null };
      for (const item of word.array) {
        const e = expandWord(item, scope);
        items.push(...e.fields);
        value.subst ??= e.subst;
        value.unset.push(...e.unset);
        value.unsupported ??= e.unsupported;
      }
      value.text = items.join(' ');
      return value;
    }
    const e = expandWord(a.value, scope, false);
    return { text: e.fields.join(''), subst: e.subst, unset: e.unset, unsupported: e.unsupported };
  }

  private assign(word: RawWord, at: SourceRef, exported: boolean): void {
    const a = assignmentOf(word)!;
    const before = this.vars.get(a.name);
    let value = this.valueOf(word, this.scope());
    if (a.append && before) {
      value = {
        text: `${before.value.text}${word.array ? ' ' : ''}${value.text}`,
        ...(word.array ? { items: [...(before.value.items ?? [before.value.text]), ...(value.items ?? [])] } : {}),
        subst: before.value.subst ?? value.subst,
        unset: [...before.value.unset, ...value.unset],
        unsupported: before.value.unsupported ?? value.unsupported,
      };
    }
    this.vars.set(a.name, { value, exported: exported || (before?.exported ?? false), at });
  }

  private expandArgs(words: RawWord[], overlay: Map<string, Var>): Arg[] {
    const scope = this.scope(overlay);
    const args: Arg[] = [];
    for (const w of words) {
      const e = expandWord(w, scope);
      const unknowable =
        e.subst !== null
          ? `it needs ${e.subst} to run, and imported scripts are never run`
          : e.unset.length
            ? `it uses $${e.unset[0]!}, which the script does not set`
            : e.unsupported !== null
              ? `it uses ${e.unsupported}, which is only known at run time`
              : null;
      const mark = e.unset.length ? undefined : (e.subst ?? e.unsupported ?? undefined);
      for (const field of e.fields) {
        args.push({ text: field, line: w.line, unknowable, ...(mark !== undefined && field.includes(mark) ? { mark } : {}) });
      }
    }
    return args;
  }

  private env(name: string, overlay: Map<string, Var>): Var | undefined {
    return overlay.get(name) ?? this.vars.get(name);
  }

  private borg(program: Arg, rest: Arg[], overlay: Map<string, Var>, cmd: RawCommand, text: string, at: SourceRef): void {
    const call = readBorgCall(rest);
    const items: Pending[] = [];
    const line = (a: { line: number }): SourceRef => ({ file: at.file, line: at.line === null ? null : at.line + (a.line - cmd.line) });
    const sub = call.subcommand;
    if (sub !== 'create' && sub !== 'prune' && sub !== 'compact' && sub !== 'check') {
      const why =
        sub === 'list' || sub === 'info'
          ? 'Dandelion lists archives itself and keeps its own minimum interval between backups'
          : sub === 'break-lock'
            ? 'Dandelion finds a stale lock and tells you how to remove it'
            : 'a Dandelion backup runs create, prune, compact and check only';
      this.general.push({ kind: 'dropped', message: `"${display(cmd, text)}" is not carried over: ${why}.`, at });
      return;
    }
    for (const opt of call.unknown) {
      items.push({ kind: 'dropped', message: `${opt.written}: borg ${sub} has no such option; left out.`, at: line(opt) });
    }
    for (const opt of call.global) {
      if (OUTPUT_ONLY.has(opt.flag) || opt.flag === '--rsh') continue;
      items.push({ kind: 'dropped', message: `${optionText(opt)}: Dandelion has no setting for ${opt.flag}; left out.`, at: line(opt) });
    }

    // The repository: REPO::ARCHIVE, ::ARCHIVE with BORG_REPO, or REPO alone for prune/compact/check.
    const target = call.positionals[0];
    let repository: string | null = null;
    let archive: string | null = null;
    const repoVar = this.env('BORG_REPO', overlay);
    const cut = target ? target.text.indexOf('::') : -1;
    // `REPO::name-$(date)`: the repository may still be known when only the archive name is not.
    const repoKnown =
      target !== undefined &&
      (!target.unknowable || cut === 0 || (target.mark !== undefined && cut !== -1 && !target.text.slice(0, cut).includes(target.mark)));
    if (target && !repoKnown) {
      items.push({
        kind: 'dropped',
        message: `The repository "${target.text}" cannot be imported: ${target.unknowable!}.`,
        at: line(target),
      });
    } else if (target && (cut !== -1 || sub !== 'create')) {
      const repoText = cut === -1 ? target.text : target.text.slice(0, cut);
      archive = cut === -1 ? null : target.text.slice(cut + 2);
      if (target.unknowable) {
        items.push({
          kind: 'dropped',
          message: `The archive name "${archive ?? ''}" cannot be imported: ${target.unknowable}.`,
          at: line(target),
        });
        archive = null;
      }
      if (repoText) repository = repoText;
    } else if (sub === 'create') {
      items.push({ kind: 'dropped', message: `borg create needs REPOSITORY::ARCHIVE first; "${target?.text ?? ''}" is not one.`, at });
    }
    if (repository === null && (target === undefined || target.text.startsWith('::'))) {
      if (repoVar && !repoVar.value.subst && !repoVar.value.unset.length && repoVar.value.text) repository = repoVar.value.text;
      else if (repoVar) {
        items.push({
          kind: 'dropped',
          message: `BORG_REPO cannot be imported: ${repoVar.value.subst ? `it needs ${repoVar.value.subst} to run, and imported scripts are never run` : 'it is empty or uses a variable the script does not set'}.`,
          at: repoVar.at,
        });
      } else items.push({ kind: 'dropped', message: `borg ${sub} names no repository, and the script sets no BORG_REPO.`, at });
    }

    // What the environment says is told once, with the create; prune and check only need the repository it gives.
    const told: Pending[] = sub === 'create' ? items : [];
    // How borg reaches an ssh repository: --rsh or BORG_RSH.
    const rshOpt = call.global.find((o) => o.flag === '--rsh') ?? call.options.find((o) => o.flag === '--rsh');
    const rshVar = this.env('BORG_RSH', overlay);
    let sshKey: string | null = null;
    // An ssh command means nothing to a repository on this machine.
    const remote = repository === null || parseLocation(repository).kind === 'ssh';
    if (remote && (rshOpt?.value || rshVar)) {
      const rshText = rshOpt?.value?.text ?? rshVar!.value.text;
      const rshAt = rshOpt ? line(rshOpt) : rshVar!.at;
      const unknowable = rshOpt?.value?.unknowable ?? (rshVar?.value.subst ? `it needs ${rshVar.value.subst} to run` : null);
      if (unknowable) told.push({ kind: 'dropped', message: `The ssh command "${rshText}" cannot be imported: ${unknowable}.`, at: rshAt });
      else {
        const rsh = this.readRsh(rshText, rshAt, told);
        sshKey = rsh.key;
        if (rsh.port !== null && repository !== null) repository = withPort(repository, rsh.port, rshAt, told);
      }
    }

    for (const [name, v] of [...this.vars.entries(), ...overlay.entries()]) {
      if (!name.startsWith('BORG_') || BORG_ENV_HANDLED.has(name) || BORG_ENV_HARMLESS.has(name) || this.envTold.has(name)) continue;
      if (!v.exported) continue;
      this.envTold.add(name);
      told.push({ kind: 'dropped', message: `${name} is not carried over: Dandelion runs borg with its own settings for it.`, at: v.at });
    }

    if (sub === 'create') this.create(call, program, repository, archive, sshKey, overlay, items, at, line);
    else this.side(sub, call, repository, archive, items, at, line);
  }

  private readRsh(value: string, at: SourceRef, items: Pending[]): { key: string | null; port: number | null } {
    const parsed = parseScript(value).commands[0];
    const words = parsed ? parsed.words.map((w) => expandWord(w, this.scope()).fields.join(' ')) : [];
    let key: string | null = null;
    let port: number | null = null;
    if (!words.length || path.posix.basename(words[0]!) !== 'ssh') {
      items.push({ kind: 'dropped', message: `The ssh command "${value}" does not start with ssh; left out.`, at });
      return { key, port };
    }
    for (let i = 1; i < words.length; i++) {
      const w = words[i]!;
      const option = /^-([BbcDEeFIiJLlmOoPpQRSWw])(.*)$/.exec(w);
      if (option) {
        const v = option[2] || words[++i] || '';
        if (option[1] === 'i') key = tildePath(v, this.ctx.home);
        else if (option[1] === 'p') port = Number(v);
        else if (option[1] !== 'o') {
          items.push({
            kind: 'dropped',
            message: `ssh option -${option[1]!} ${v} is not carried over: put it in ~/.ssh/config for this host.`,
            at,
          });
        } else {
          const o = /^(\w+)[= ](.*)$/.exec(v);
          if (o && o[1]!.toLowerCase() === 'identityfile') key = tildePath(o[2]!, this.ctx.home);
          else if (o && o[1]!.toLowerCase() === 'port') port = Number(o[2]);
          else
            items.push({ kind: 'dropped', message: `ssh option -o ${v} is not carried over: put it in ~/.ssh/config for this host.`, at });
        }
      } else if (/^-[46AaCgKkNnqTtVvXxYy]+$/.test(w)) continue;
      else items.push({ kind: 'dropped', message: `ssh option ${w} is not carried over: put it in ~/.ssh/config for this host.`, at });
    }
    if (key !== null) {
      items.push({ kind: 'carried', message: `The ssh key ${key} is the profile's ssh key.`, at });
      if (!this.ctx.exists(key.startsWith('~/') ? path.posix.join(this.ctx.home, key.slice(2)) : key)) {
        items.push({ kind: 'todo', message: `The ssh key ${key} is not on this machine: copy it here before the first backup.`, at });
      }
    }
    if (port !== null && !(Number.isInteger(port) && port > 0 && port < 65536)) {
      items.push({ kind: 'dropped', message: `The ssh port "${port}" is not a port number; left out.`, at });
      port = null;
    }
    return { key, port };
  }

  private create(
    call: BorgCall,
    program: Arg,
    repository: string | null,
    archive: string | null,
    sshKey: string | null,
    overlay: Map<string, Var>,
    items: Pending[],
    at: SourceRef,
    line: (a: { line: number }) => SourceRef,
  ): void {
    const c: CreateCall = {
      at,
      repository,
      archiveName: archive,
      sources: [],
      excludes: [],
      compression: null,
      oneFileSystem: false,
      excludeCaches: false,
      sshKey,
      passcommand: null,
      passphrase: null,
      borgPath: null,
      items,
    };
    const target = call.positionals[0];
    if (archive !== null && target && !target.unknowable) {
      items.push({ kind: 'carried', message: `Archive name "${archive}".`, at: line(target) });
    }
    for (const opt of call.options) this.createOption(c, opt, items, line);
    for (const src of call.positionals.slice(1)) {
      if (src.unknowable) {
        items.push({ kind: 'dropped', message: `The folder "${src.text}" cannot be imported: ${src.unknowable}.`, at: line(src) });
        continue;
      }
      let p = src.text;
      if (!p.startsWith('/')) {
        if (this.cwd === null) {
          items.push({
            kind: 'dropped',
            message: `The folder "${p}" is relative to wherever the script was started; write it as a full path in the profile.`,
            at: line(src),
          });
          continue;
        }
        p = path.posix.resolve(this.cwd, p);
      }
      const source = tildePath(p.length > 1 ? p.replace(/\/+$/, '') : p, this.ctx.home);
      c.sources.push(source);
      items.push({ kind: 'carried', message: `Backs up ${source}.`, at: line(src) });
    }
    if (program.text.includes('/')) {
      const full = program.text.startsWith('~/') ? path.posix.join(this.ctx.home, program.text.slice(2)) : program.text;
      if (path.posix.isAbsolute(full) && this.ctx.exists(full)) {
        c.borgPath = full;
        items.push({ kind: 'carried', message: `borg is run from ${full}, as in the script.`, at });
      } else {
        items.push({
          kind: 'note',
          message: `The script runs borg from ${program.text}, which is not on this machine; Dandelion uses the borg it finds.`,
          at,
        });
      }
    }
    const pass = this.env('BORG_PASSPHRASE', overlay);
    if (pass) this.passphrase(c, pass, items);
    const passcommand = this.env('BORG_PASSCOMMAND', overlay);
    if (passcommand && !c.passcommand) {
      if (passcommand.value.subst) {
        items.push({
          kind: 'dropped',
          message: `BORG_PASSCOMMAND cannot be imported: it needs ${passcommand.value.subst} to run, and imported scripts are never run.`,
          at: passcommand.at,
        });
      } else {
        c.passcommand = passcommand.value.text;
        items.push({
          kind: 'carried',
          message: `The passphrase comes from the command "${passcommand.value.text}" (BORG_PASSCOMMAND).`,
          at: passcommand.at,
        });
      }
    }
    this.creates.push(c);
  }

  private passphrase(c: CreateCall, pass: Var, items: Pending[]): void {
    const where = `${pass.at.file}${pass.at.line !== null ? ` line ${pass.at.line}` : ''}`;
    if (pass.value.subst) {
      // `$(security find-generic-password … -w)`: the same command, run by Dandelion itself, is a passcommand.
      const inner = /^\$\(([^$`|;&<>()]*)\)$/.exec(pass.value.text.trim());
      if (inner && inner[1]!.trim()) {
        c.passcommand = inner[1]!.trim();
        items.push({
          kind: 'carried',
          message: `The passphrase comes from the command "${c.passcommand}" (it was run by the script to set BORG_PASSPHRASE); Dandelion runs it as the profile's passcommand.`,
          at: pass.at,
        });
      } else {
        items.push({
          kind: 'dropped',
          message: `BORG_PASSPHRASE is set by running ${pass.value.subst}, which is never run here: enter the passphrase in Dandelion, or set a passcommand.`,
          at: pass.at,
        });
      }
      return;
    }
    if (pass.value.unset.length || !pass.value.text) {
      items.push({
        kind: 'todo',
        message: 'BORG_PASSPHRASE has no value the script itself knows: enter the passphrase in Dandelion.',
        at: pass.at,
      });
      return;
    }
    c.passphrase = { value: pass.value.text, at: pass.at };
    items.push({
      kind: 'carried',
      message: `The passphrase (BORG_PASSPHRASE, ${where}) goes to ${this.ctx.keychain}, never into config.json.`,
      at: pass.at,
    });
    const key = `${pass.at.file}:${pass.at.line ?? ''}`;
    if (!this.secretsTold.has(key)) {
      this.secretsTold.add(key);
      this.general.push({
        kind: 'todo',
        message: `Remove the plain-text passphrase from ${where} (BORG_PASSPHRASE): once imported it is kept in ${this.ctx.keychain}.`,
        at: pass.at,
      });
    }
  }

  private createOption(c: CreateCall, opt: BorgOption, items: Pending[], line: (a: { line: number }) => SourceRef): void {
    const at = line(opt);
    const v = opt.value;
    if (OUTPUT_ONLY.has(opt.flag)) return;
    if (v?.unknowable) {
      items.push({ kind: 'dropped', message: `${opt.written} "${v.text}" cannot be imported: ${v.unknowable}.`, at });
      return;
    }
    switch (opt.flag) {
      case '--exclude': {
        if (!v) break;
        const pattern = tildePath(v.text, this.ctx.home);
        c.excludes.push(pattern);
        items.push({ kind: 'carried', message: `Excludes "${pattern}".`, at });
        return;
      }
      case '--exclude-from': {
        if (!v) break;
        const file = v.text.startsWith('/') ? v.text : path.posix.resolve(this.cwd ?? this.ctx.home, v.text);
        const content = this.ctx.readFile(file);
        if (content === null) {
          items.push({
            kind: 'todo',
            message: `The exclude file ${v.text} could not be read: add its patterns to the profile's excludes by hand.`,
            at,
          });
          return;
        }
        const patterns = content
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith('#'))
          .map((l) => tildePath(l, this.ctx.home));
        c.excludes.push(...patterns);
        items.push({ kind: 'carried', message: `Excludes the ${plural(patterns.length, 'pattern')} listed in ${v.text}.`, at });
        return;
      }
      case '--exclude-caches':
        c.excludeCaches = true;
        items.push({ kind: 'carried', message: 'Leaves out folders marked as caches (--exclude-caches).', at });
        return;
      case '--one-file-system':
        c.oneFileSystem = true;
        items.push({ kind: 'carried', message: 'Stays on one file system (--one-file-system).', at });
        return;
      case '--compression':
        if (!v) break;
        c.compression = v.text;
        items.push({ kind: 'carried', message: `Compression ${v.text}.`, at });
        return;
      case '--pattern':
      case '--patterns-from':
        items.push({
          kind: 'dropped',
          message: `${optionText(opt)}: Dandelion has no include/exclude pattern rules (R, P, +, -, !); add the folders as sources and the patterns to exclude as excludes by hand.`,
          at,
        });
        return;
      case '--exclude-if-present':
        items.push({
          kind: 'dropped',
          message: `${optionText(opt)}: Dandelion cannot leave out folders that hold a marker file; add those folders to the excludes by hand.`,
          at,
        });
        return;
      case '--dry-run':
        items.push({
          kind: 'dropped',
          message: 'The script runs borg create with --dry-run, which saves nothing; the imported profile really backs up.',
          at,
        });
        return;
    }
    items.push({ kind: 'dropped', message: `${optionText(opt)}: Dandelion has no setting for ${opt.flag}; left out.`, at });
  }

  private side(
    sub: 'prune' | 'check' | 'compact',
    call: BorgCall,
    repository: string | null,
    archive: string | null,
    items: Pending[],
    at: SourceRef,
    line: (a: { line: number }) => SourceRef,
  ): void {
    const s: SideCall = {
      kind: sub,
      at,
      repository,
      filter: null,
      filterWritten: null,
      rules: {},
      ruleWords: [],
      verifyData: false,
      items,
    };
    if (archive) items.push({ kind: 'dropped', message: `borg ${sub} of the single archive "${archive}" is not carried over.`, at });
    for (const opt of call.options) {
      const oat = line(opt);
      const v = opt.value;
      if (OUTPUT_ONLY.has(opt.flag)) continue;
      if (v?.unknowable) {
        items.push({ kind: 'dropped', message: `${opt.written} "${v.text}" cannot be imported: ${v.unknowable}.`, at: oat });
        continue;
      }
      const rule = KEEP[opt.flag];
      if (sub === 'prune' && rule && v) {
        if (rule === 'keepWithin') {
          if (/^\d+[HdwmyS]$/.test(v.text)) s.rules.keepWithin = v.text;
          else {
            items.push({
              kind: 'dropped',
              message: `--keep-within ${v.text} is not an interval Dandelion knows (24H, 7d, 4w, 6m, 1y); left out.`,
              at: oat,
            });
            continue;
          }
        } else {
          const n = Number(v.text);
          if (!Number.isInteger(n) || n < 0) {
            items.push({ kind: 'dropped', message: `${opt.flag} ${v.text} is not a number; left out.`, at: oat });
            continue;
          }
          s.rules[rule] = n as never;
        }
        s.ruleWords.push(`${opt.flag} ${v.text}`);
        continue;
      }
      if ((opt.flag === '--prefix' || opt.flag === '--glob-archives') && v) {
        s.filter = opt.flag === '--prefix' ? `${v.text}*` : v.text;
        s.filterWritten = `${opt.written.startsWith('--') && opt.written.includes('=') ? opt.written : `${opt.written} ${v.text}`}`;
        continue;
      }
      if (sub === 'check' && opt.flag === '--verify-data') {
        s.verifyData = true;
        continue;
      }
      if (opt.flag === '--save-space' || opt.flag === '--threshold' || opt.flag === '--cleanup-commits' || opt.flag === '--force') continue;
      items.push({
        kind: 'dropped',
        message: `${optionText(opt)}: Dandelion has no setting for ${opt.flag} of borg ${sub}; left out.`,
        at: oat,
      });
    }
    this.sides.push(s);
  }
}

/** `-p 23` of the ssh command goes into the repository URL, which is where Dandelion keeps a port. */
export function withPort(repository: string, port: number, at: SourceRef, items: Pending[]): string {
  const loc = parseLocation(repository);
  if (loc.kind === 'local') {
    items.push({ kind: 'note', message: `The ssh port ${port} is left out: the repository ${repository} is on this machine.`, at });
    return repository;
  }
  if (!loc.scp && /^ssh:\/\/(?:[^@/]+@)?(?:\[[^\]]+\]|[^:/]+):\d+/.test(repository)) {
    if (loc.port !== port)
      items.push({
        kind: 'note',
        message: `The ssh port ${port} is left out: the repository URL names port ${loc.port}, which borg uses.`,
        at,
      });
    return repository;
  }
  const host = loc.host.includes(':') ? `[${loc.host}]` : loc.host;
  const p = loc.scp ? (loc.path.startsWith('/') ? loc.path : loc.path.startsWith('~') ? `/${loc.path}` : `/./${loc.path}`) : loc.path;
  const url = `ssh://${loc.user ? `${loc.user}@` : ''}${host}:${port}${p}`;
  items.push({ kind: 'carried', message: `The ssh port ${port} goes into the repository URL: ${url}.`, at });
  return url;
}

/** An option as the script wrote it, with its value: `-e '*.tmp'`, `--pattern=R /`. */
function optionText(opt: BorgOption): string {
  const separate = opt.written === opt.flag || /^-\w$/.test(opt.written);
  return opt.value && separate ? `${opt.written} ${opt.value.text}` : opt.written;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * A command as written, for the report: at most one line's worth, and never a passphrase (a
 * passphrase assigned in front of a command is shown as the name with "=…", never its value).
 */
export function display(cmd: RawCommand, text: string, words: RawWord[] = cmd.words): string {
  const shown = words
    .map((w) => {
      const a = assignmentOf(w);
      if (a && /PASSPHRASE/.test(a.name)) return `${a.name}=…`;
      return text.slice(w.start, w.end).replace(/\\\n\s*/g, '');
    })
    .join(' ');
  const masked = maskUrls(shown);
  return masked.length > 80 ? `${masked.slice(0, 79)}…` : masked;
}

/**
 * URLs in a command shown in the report keep only their scheme and host: a ping URL is a secret
 * (`curl https://hc-ping.com/<uuid>`), and so is a password in `user:password@host`.
 */
export function maskUrls(text: string): string {
  return text.replace(
    /\b([a-z][a-z0-9+.-]*):\/\/(?:[^@/\s"']*@)?([^/\s"'?#]+)[^\s"']*/gi,
    (_, scheme: string, host: string) => `${scheme}://${host}/…`,
  );
}
