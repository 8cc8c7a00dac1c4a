/**
 * An import as a person reads it (`dandelion import`, and the words the setup window shows):
 * the profiles it would create, then the report grouped as carried over / left out / to do.
 * Pure text; no passphrase and no full monitoring URL ever reaches it (`redact` is the last guard).
 */
import { count } from '../format.js';
import type { ImportedOutcome, ImportOutcome } from './apply.js';
import type { ReportItem } from './model.js';

const KEEP_WORDS: [string, string][] = [
  ['keepLast', 'last'],
  ['keepMinutely', 'minutely'],
  ['keepHourly', 'hourly'],
  ['keepDaily', 'daily'],
  ['keepWeekly', 'weekly'],
  ['keepMonthly', 'monthly'],
  ['keepYearly', 'yearly'],
];

/** `{ keepDaily: 7, keepWeekly: 4 }` → "7 daily, 4 weekly". */
export function keepWords(prune: Record<string, unknown> | null): string {
  if (prune === null) return 'everything (no pruning)';
  const parts: string[] = [];
  if (typeof prune.keepWithin === 'string') parts.push(`everything from the last ${prune.keepWithin}`);
  for (const [key, word] of KEEP_WORDS) if (typeof prune[key] === 'number' && prune[key] > 0) parts.push(`${prune[key]} ${word}`);
  return parts.join(', ') || 'everything (no pruning)';
}

export function scheduleWords(p: { schedule: string | null; volume: string | null }): string {
  const parts: string[] = [];
  if (p.schedule) parts.push(`on the schedule "${p.schedule}"`);
  if (p.volume) parts.push(`when the disk "${p.volume}" is connected`);
  return parts.join(', and ') || 'only when you start it';
}

function at(r: ReportItem): string {
  if (!r.at) return '';
  return r.at.line === null ? `${r.at.file}: ` : `${r.at.file}:${r.at.line}: `;
}

function checkWords(o: ImportedOutcome): string {
  const c = o.check;
  if (!c) return o.passphraseStored === true ? 'saved; passphrase stored' : 'saved';
  const reach =
    c.reachable === true ? 'repository reachable' : c.reachable === false ? 'repository NOT reachable' : 'repository not checked';
  const enc = c.encryption ? `encryption ${c.encryption}` : 'encryption not found out';
  const pass = {
    opens: 'the passphrase opens it',
    wrong: 'the passphrase is WRONG',
    missing: 'no passphrase yet',
    'not-needed': 'no passphrase needed',
    unchecked: 'passphrase not checked',
  }[c.passphrase];
  return `saved; ${reach}; ${enc}; ${pass}`;
}

/** The lines `dandelion import` prints. */
export function importText(o: ImportOutcome): string[] {
  const lines: string[] = [];
  const n = o.profiles.length;
  if (o.dryRun) lines.push(n ? `Would create ${count(n, 'profile')} (nothing is written without --apply):` : 'Nothing to create.');
  else if (o.saved) lines.push(`Created ${count(n, 'profile')}:`);
  else if (n) lines.push(`Nothing was written: ${count(n, 'profile')} could not be saved.`);
  else lines.push('Nothing to create.');
  for (const p of o.profiles) {
    lines.push('', `  ${p.name}${p.name !== p.id ? ` (id ${p.id})` : ''}`);
    lines.push(`    Repository:    ${p.repository}`);
    lines.push(`    Back up:       ${p.sources.join(', ')}`);
    lines.push(`    Leave out:     ${p.excludes.length ? p.excludes.join(', ') : 'nothing'}`);
    lines.push(`    When:          ${p.when}`);
    lines.push(`    Keep:          ${p.keep}`);
    lines.push(`    Archive names: ${p.archiveName}`);
    if (p.monitor) lines.push(`    Monitoring:    ${[p.monitor.ping, p.monitor.ntfy].filter(Boolean).join(', ')}`);
    if (p.passphraseFound)
      lines.push(
        `    Passphrase:    ${o.dryRun ? 'found in the file; goes to the keyring with --apply' : p.passphraseStored ? 'stored in the keyring' : 'found in the file, not stored'}`,
      );
    if (!o.dryRun && o.saved) lines.push(`    Result:        ${checkWords(p)}`);
  }
  for (const s of o.skipped)
    lines.push('', `  Not added: "${s.importedAs}" — profile "${s.existing}" already backs up to ${s.repository} as ${s.archiveName}.`);
  if (o.errors.length) {
    lines.push('', 'Not saved:');
    for (const e of o.errors) lines.push(`  ${e.profile ? `${e.profile}: ` : ''}${e.path}: ${e.message}`);
  }
  const group = (title: string, kind: ReportItem['kind']) => {
    const items = o.report.filter((r) => r.kind === kind);
    if (!items.length) return;
    lines.push('', title);
    for (const r of items) lines.push(`  ${at(r)}${r.message}`);
  };
  group('Carried over:', 'carried');
  group('Left out:', 'dropped');
  group('Good to know:', 'note');
  group(o.dryRun ? 'What you will still have to do:' : 'What you still have to do:', 'todo');
  if (o.dryRun && n) lines.push('', 'Run the same command with --apply to create these profiles.');
  return lines;
}

/** The last guard: every found passphrase replaced, whatever text carries it. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('[passphrase]');
  return out;
}

/** A copy of a value with every found passphrase replaced in each of its strings (what crosses IPC). */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  const walk = (v: unknown): unknown =>
    typeof v === 'string'
      ? redact(v, secrets)
      : Array.isArray(v)
        ? v.map(walk)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
          : v;
  return walk(value) as T;
}
