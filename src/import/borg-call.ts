/**
 * One borg command line of an imported script, taken apart by borg 1.x's own option tables: which
 * subcommand, which options with which values, which positionals. It decides nothing about
 * profiles (shell.ts does); it only knows which option takes a value, so `-e '*.tmp' ~/Documents`
 * is an exclude and a source, not two sources.
 */

/** A word of the command after expansion, with where it came from and whether it can be known. */
export interface Arg {
  text: string;
  line: number;
  /** Why this word cannot be imported (a command substitution, an unset variable), or null. */
  unknowable: string | null;
  /** The text in it that is not known (`$(hostname)` as written), when it can be found in `text`. */
  mark?: string;
}

export interface BorgOption {
  /** The long name (`--exclude`), also for `-e`. */
  flag: string;
  /** As written (`-e`, `--exclude=x`), for the report. */
  written: string;
  value: Arg | null;
  line: number;
}

export interface BorgCall {
  subcommand: string | null;
  /** Options before the subcommand (`--rsh`, `--remote-path`, `-v`). */
  global: BorgOption[];
  options: BorgOption[];
  positionals: Arg[];
  /** Options borg does not have (for this subcommand); their value, if any, is not known. */
  unknown: BorgOption[];
}

interface OptionTable {
  /** Long name → takes a value. */
  long: Record<string, boolean>;
  /** Short letter → long name. */
  short: Record<string, string>;
}

/** borg's common options, accepted before and after the subcommand. */
const COMMON: OptionTable = {
  long: {
    '--verbose': false,
    '--info': false,
    '--debug': false,
    '--critical': false,
    '--error': false,
    '--warning': false,
    '--progress': false,
    '--log-json': false,
    '--show-rc': false,
    '--show-version': false,
    '--iec': false,
    '--consider-part-files': false,
    '--bypass-lock': false,
    '--lock-wait': true,
    '--umask': true,
    '--remote-path': true,
    '--upload-ratelimit': true,
    '--upload-buffer': true,
    '--rsh': true,
    '--debug-topic': true,
    '--debug-profile': true,
  },
  short: { v: '--verbose', p: '--progress' },
};

const TABLES: Record<string, OptionTable> = {
  create: {
    long: {
      '--exclude': true,
      '--exclude-from': true,
      '--pattern': true,
      '--patterns-from': true,
      '--compression': true,
      '--comment': true,
      '--timestamp': true,
      '--checkpoint-interval': true,
      '--chunker-params': true,
      '--files-cache': true,
      '--exclude-if-present': true,
      '--filter': true,
      '--stdin-name': true,
      '--stdin-user': true,
      '--stdin-group': true,
      '--stdin-mode': true,
      '--paths-delimiter': true,
      '--dry-run': false,
      '--stats': false,
      '--list': false,
      '--json': false,
      '--no-cache-sync': false,
      '--exclude-caches': false,
      '--keep-exclude-tags': false,
      '--keep-tag-files': false,
      '--one-file-system': false,
      '--numeric-owner': false,
      '--numeric-ids': false,
      '--noatime': false,
      '--atime': false,
      '--noctime': false,
      '--nobirthtime': false,
      '--nobsdflags': false,
      '--noflags': false,
      '--noacls': false,
      '--noxattrs': false,
      '--sparse': false,
      '--read-special': false,
      '--paths-from-stdin': false,
      '--paths-from-command': false,
      '--content-from-command': false,
    },
    short: { e: '--exclude', C: '--compression', c: '--checkpoint-interval', n: '--dry-run', s: '--stats', x: '--one-file-system' },
  },
  prune: {
    long: {
      '--keep-within': true,
      '--keep-last': true,
      '--keep-secondly': true,
      '--keep-minutely': true,
      '--keep-hourly': true,
      '--keep-daily': true,
      '--keep-weekly': true,
      '--keep-monthly': true,
      '--keep-yearly': true,
      '--prefix': true,
      '--glob-archives': true,
      '--checkpoint-interval': true,
      '--dry-run': false,
      '--force': false,
      '--stats': false,
      '--list': false,
      '--list-pruned': false,
      '--list-kept': false,
      '--save-space': false,
    },
    short: {
      H: '--keep-hourly',
      d: '--keep-daily',
      w: '--keep-weekly',
      m: '--keep-monthly',
      y: '--keep-yearly',
      P: '--prefix',
      a: '--glob-archives',
      n: '--dry-run',
      s: '--stats',
    },
  },
  compact: {
    long: { '--threshold': true, '--cleanup-commits': false },
    short: {},
  },
  check: {
    long: {
      '--repository-only': false,
      '--archives-only': false,
      '--verify-data': false,
      '--repair': false,
      '--save-space': false,
      '--first': true,
      '--last': true,
      '--prefix': true,
      '--glob-archives': true,
      '--max-duration': true,
    },
    short: { P: '--prefix', a: '--glob-archives' },
  },
};

/** Options that only change what borg prints: Dandelion keeps its own run log, so they mean nothing here. */
export const OUTPUT_ONLY = new Set([
  '--verbose',
  '--info',
  '--debug',
  '--critical',
  '--error',
  '--warning',
  '--progress',
  '--log-json',
  '--show-rc',
  '--show-version',
  '--iec',
  '--stats',
  '--list',
  '--json',
  '--filter',
  '--list-pruned',
  '--list-kept',
  '--lock-wait',
]);

function lookup(table: OptionTable, name: string): boolean | undefined {
  return table.long[name] ?? COMMON.long[name];
}

function shortName(table: OptionTable, letter: string): string | undefined {
  return table.short[letter] ?? COMMON.short[letter];
}

/** argv after the program name (`create --stats ::x ~/Documents`). */
export function readBorgCall(args: Arg[]): BorgCall {
  const call: BorgCall = { subcommand: null, global: [], options: [], positionals: [], unknown: [] };
  let i = 0;
  // Options before the subcommand: the common ones only.
  while (i < args.length && args[i]!.text.startsWith('-') && args[i]!.text !== '--') {
    i = readOption(args, i, COMMON, call.global, call.unknown);
  }
  if (i >= args.length) return call;
  call.subcommand = args[i]!.text;
  i++;
  const table = TABLES[call.subcommand] ?? { long: {}, short: {} };
  let onlyPositionals = false;
  while (i < args.length) {
    const arg = args[i]!;
    if (!onlyPositionals && arg.text === '--') {
      onlyPositionals = true;
      i++;
    } else if (!onlyPositionals && arg.text.startsWith('-') && arg.text.length > 1) {
      i = readOption(args, i, table, call.options, call.unknown);
    } else {
      call.positionals.push(arg);
      i++;
    }
  }
  return call;
}

/** Reads the option at args[i] (and its value); returns the index after it. */
function readOption(args: Arg[], i: number, table: OptionTable, into: BorgOption[], unknown: BorgOption[]): number {
  const arg = args[i]!;
  const text = arg.text;
  if (text.startsWith('--')) {
    const eq = text.indexOf('=');
    const name = eq === -1 ? text : text.slice(0, eq);
    const takesValue = lookup(table, name);
    if (takesValue === undefined) {
      unknown.push({ flag: name, written: text, value: eq === -1 ? null : { ...arg, text: text.slice(eq + 1) }, line: arg.line });
      return i + 1;
    }
    if (!takesValue) {
      into.push({ flag: name, written: text, value: null, line: arg.line });
      return i + 1;
    }
    if (eq !== -1) {
      into.push({ flag: name, written: text, value: { ...arg, text: text.slice(eq + 1) }, line: arg.line });
      return i + 1;
    }
    into.push({ flag: name, written: text, value: args[i + 1] ?? null, line: arg.line });
    return i + 2;
  }
  // `-sv`, `-C lz4`, `-Clz4`, `-e PATTERN`: letters until one that takes a value.
  for (let k = 1; k < text.length; k++) {
    const name = shortName(table, text[k]!);
    if (name === undefined) {
      unknown.push({ flag: `-${text[k]!}`, written: text, value: null, line: arg.line });
      continue;
    }
    if (!lookup(table, name)) {
      into.push({ flag: name, written: `-${text[k]!}`, value: null, line: arg.line });
      continue;
    }
    const rest = text.slice(k + 1);
    if (rest) {
      into.push({ flag: name, written: text, value: { ...arg, text: rest }, line: arg.line });
      return i + 1;
    }
    into.push({ flag: name, written: `-${text[k]!}`, value: args[i + 1] ?? null, line: arg.line });
    return i + 2;
  }
  return i + 1;
}
