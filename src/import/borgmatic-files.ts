/**
 * What a borgmatic file backs up: its sources (and `R` roots of patterns), its excludes (also from
 * `exclude_from` and `patterns_from` files, read through the context), and the options that shape
 * what goes into an archive (compression, one file system, caches).
 */
import { count, vetExcludes, type FoundPattern } from './profile-bits.js';
import { expandTilde, list, str, type Reading } from './borgmatic-reading.js';

export interface FileSet {
  sources: string[];
  excludes: string[];
  compression: string;
  oneFileSystem: boolean;
  excludeCaches: boolean;
}

/** Null when no source is left: then there is nothing to import (the report says why). */
export function readFileSet(rd: Reading): FileSet | null {
  const { opt, opts, lineOf, isUnresolved, report, shared, ctx } = rd;
  // --- Sources. ---
  const workdir = str(opt('working_directory')?.value);
  const sources: string[] = [];
  const sourceOpt = opt('source_directories');
  list(sourceOpt?.value).forEach((item, i) => {
    const p = `${sourceOpt!.path}[${i}]`;
    const s = str(item);
    if (s === null) {
      if (isUnresolved(p))
        report.dropped(shared, 'A source folder named by an environment variable without a default was left out.', lineOf(p));
      return;
    }
    if (/[*?[]/.test(s)) {
      report.dropped(
        shared,
        `Source "${s}" is a glob: borgmatic expands it, Dandelion backs up named folders. Add the folders it matches by hand.`,
        lineOf(p),
      );
      return;
    }
    let source = s;
    if (!(s === '~' || s.startsWith('~/') || s.startsWith('/'))) {
      if (workdir && workdir.startsWith('/')) source = `${workdir.replace(/\/+$/, '')}/${s}`;
      else {
        report.dropped(
          shared,
          `Source "${s}" is a relative path and this file sets no working_directory to say relative to what; add it as a full path.`,
          lineOf(p),
        );
        return;
      }
    }
    if (!sources.includes(source)) sources.push(source);
  });

  // --- Patterns (R roots become sources, - and ! become excludes). ---
  const excludes: FoundPattern[] = [];
  const readPatterns = (lines: { text: string; line: number | null; where: string }[]) => {
    let style = 'sh';
    for (const { text: raw, line, where } of lines) {
      const t = raw.trim();
      if (!t || t.startsWith('#')) continue;
      const rule = t[0]!;
      const rest = t.slice(1).trim();
      if (rule === 'R') {
        if (rest.startsWith('/') || rest.startsWith('~')) {
          if (!sources.includes(rest)) sources.push(rest);
          report.carried(shared, `Pattern root "${rest}" → source folder.`, line);
        } else report.dropped(shared, `Pattern root "${rest}"${where} is not a full path; add it as one.`, line);
      } else if (rule === 'P') {
        style = rest;
      } else if (rule === '-' || rule === '!') {
        const body = /^(fm|sh|re|pp|pf):/.test(rest) ? rest : `${style}:${rest}`;
        excludes.push({ pattern: body, line });
      } else if (rule === '+') {
        report.dropped(
          shared,
          `Include pattern "${rest}"${where} was left out: Dandelion has no include rules, only sources and excludes; what it re-included inside an excluded folder is no longer backed up.`,
          line,
        );
      } else report.dropped(shared, `Pattern line "${t}"${where} was not understood and was left out.`, line);
    }
  };
  const patternsOpt = opt('patterns');
  readPatterns(
    list(patternsOpt?.value).flatMap((v, i) =>
      typeof v === 'string' ? [{ text: v, line: lineOf(`${patternsOpt!.path}[${i}]`), where: '' }] : [],
    ),
  );
  const patternsFromOpt = opt('patterns_from');
  list(patternsFromOpt?.value).forEach((f, i) => {
    const name = str(f);
    const line = lineOf(`${patternsFromOpt!.path}[${i}]`);
    if (!name) return;
    const content = ctx.readFile(expandTilde(name, ctx.home));
    if (content === null) {
      report.todo(
        shared,
        `The patterns file ${name} could not be read here, so its rules were not imported; add its excludes by hand.`,
        line,
      );
      return;
    }
    readPatterns(content.split('\n').map((t) => ({ text: t, line, where: ` (in ${name})` })));
  });

  const excludeOpt = opt('exclude_patterns');
  list(excludeOpt?.value).forEach((v, i) => {
    const p = `${excludeOpt!.path}[${i}]`;
    const s = typeof v === 'string' ? v.trim() : null;
    if (s) excludes.push({ pattern: s, line: lineOf(p) });
    else if (isUnresolved(p))
      report.dropped(shared, 'An exclude pattern named by an environment variable without a default was left out.', lineOf(p));
  });
  const excludeFromOpt = opt('exclude_from');
  list(excludeFromOpt?.value).forEach((f, i) => {
    const name = str(f);
    const line = lineOf(`${excludeFromOpt!.path}[${i}]`);
    if (!name) return;
    const content = ctx.readFile(expandTilde(name, ctx.home));
    if (content === null) {
      report.todo(
        shared,
        `The exclude file ${name} could not be read here, so its patterns were not imported; add them by hand or backups will include what it left out.`,
        line,
      );
      return;
    }
    let n = 0;
    for (const raw of content.split('\n')) {
      const t = raw.trim();
      if (!t || t.startsWith('#')) continue;
      excludes.push({ pattern: t, line });
      n++;
    }
    report.carried(shared, `${count(n, 'exclude pattern')} read from ${name}.`, line);
  });

  if (!sources.length) {
    report.dropped(
      null,
      'This configuration backs up no folder Dandelion can name (no source_directories it could read); nothing was imported.',
      sourceOpt?.line ?? null,
    );
    return null;
  }
  report.carried(shared, `Sources: ${sources.join(', ')}.`, sourceOpt?.line ?? patternsOpt?.line ?? null);

  const vetted = vetExcludes(excludes, sources, ctx.home);
  for (const r of vetted.refused) report.dropped(shared, `Exclude "${r.pattern}" was left out: ${r.why}.`, r.line);
  if (vetted.kept.length)
    report.carried(
      shared,
      `${count(vetted.kept.length, 'exclude pattern')} carried over.`,
      excludeOpt?.line ?? excludeFromOpt?.line ?? patternsOpt?.line ?? null,
    );

  const ifPresent = opt('exclude_if_present');
  for (const [i, v] of list(ifPresent?.value).entries()) {
    const name = str(v);
    if (!name) continue;
    const line = lineOf(Array.isArray(ifPresent?.value) ? `${ifPresent!.path}[${i}]` : ifPresent!.path) ?? ifPresent?.line ?? null;
    if (name === 'CACHEDIR.TAG')
      report.carried(
        shared,
        'exclude_if_present CACHEDIR.TAG → "exclude caches", which skips the same folders (those with a valid CACHEDIR.TAG).',
        line,
      );
    else
      report.dropped(
        shared,
        `exclude_if_present "${name}" was left out: Dandelion cannot skip folders by a marker file, so folders holding ${name} are backed up now; exclude them by path instead.`,
        line,
      );
  }
  const cachedirTag = list(ifPresent?.value).some((v) => str(v) === 'CACHEDIR.TAG');

  // --- Compression, one file system, caches. ---
  const compressionOpt = opt('compression');
  let compression = str(compressionOpt?.value) ?? 'lz4';
  if (!/^(none|lz4|zstd|zlib|lzma|auto|obfuscate)(,[a-z0-9]+)*$/.test(compression)) {
    report.dropped(shared, `Compression "${compression}" is not one borg knows; lz4 is used.`, compressionOpt?.line ?? null);
    compression = 'lz4';
  } else if (compressionOpt) report.carried(shared, `Compression ${compression}.`, compressionOpt.line);
  const oneFileSystem = opt('one_file_system')?.value === true;
  if (oneFileSystem) report.carried(shared, 'Stays on one file system (one_file_system).', opts.get('one_file_system')!.line);
  const excludeCaches = opt('exclude_caches')?.value === true || cachedirTag;
  if (opts.get('exclude_caches')?.value === true)
    report.carried(shared, 'Skips cache folders (exclude_caches).', opts.get('exclude_caches')!.line);

  return { sources, excludes: vetted.kept.map((k) => k.pattern), compression, oneFileSystem, excludeCaches };
}
