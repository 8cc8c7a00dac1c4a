/**
 * One borgmatic file being read: its options (flattened by borgmatic-yaml.ts), which of them have
 * been looked at, the report, and the profile the report items concern (the one profile, or null
 * when the file makes several). The section readers (files, rules, access, hooks) share it.
 */
import type { ImportContext } from './context.js';
import type { BorgmaticFile, Opt } from './borgmatic-yaml.js';
import type { Report } from './profile-bits.js';

export interface Reading {
  opts: Map<string, Opt>;
  /** Options a section reader has looked at; the rest are reported as left out. */
  used: Set<string>;
  /** Looks an option up and marks it as handled. */
  opt(name: string): Opt | undefined;
  lineOf(path: string): number | null;
  /** Whether a value (or a part of it) held a `${VAR}` without a default, and so was left out. */
  isUnresolved(path: string): boolean;
  report: Report;
  /** The profile id report items about the whole file go to: the only one, or null for several. */
  shared: string | null;
  ctx: ImportContext;
}

export function reading(parsed: BorgmaticFile, report: Report, ctx: ImportContext, shared: string | null): Reading {
  const used = new Set<string>();
  const unresolved = parsed.env.filter((e) => e.fallback === null).map((e) => e.path);
  return {
    opts: parsed.options,
    used,
    opt: (name) => {
      used.add(name);
      return parsed.options.get(name);
    },
    lineOf: (path) => parsed.lines.get(path) ?? null,
    isUnresolved: (path) => unresolved.some((p) => p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`)),
    report,
    shared,
    ctx,
  };
}

/** A setting as text: YAML may hand a number or a boolean where borgmatic meant a word. */
export function str(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() || null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** A list option, also when the file gives a single value. */
export function list(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === undefined || v === null) return [];
  return [v];
}

/** `~` and `~/x` with the importing user's home (the file is read on this machine). */
export function expandTilde(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return `${home.replace(/\/+$/, '')}/${p.slice(2)}`;
  return p;
}

/** One shell word, quoted only when it needs to be. */
export function quoteWord(w: string): string {
  return /^[A-Za-z0-9_@%+=:,./~-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}
