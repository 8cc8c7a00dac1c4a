/**
 * borgmatic's YAML as the borgmatic reader needs it: every option at one level whether the file uses
 * the sections of 1.7 (`location:`, `storage:`, …) or the flat layout of 1.8+, each with the line it
 * is on, `constants:` filled in and `${VAR}` environment references resolved where a default makes
 * that possible. Parsed with the `yaml` package, never evaluated: a tag such as `!include` is only
 * noticed.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';

/** The sections of borgmatic 1.7 and earlier; 1.8 reads them still (deprecated). */
export const SECTIONS = ['location', 'storage', 'retention', 'consistency', 'hooks', 'output'] as const;

export interface Opt {
  value: unknown;
  /** Line of the option's key. */
  line: number | null;
  /** Where it was written: `storage.compression` or `compression`. */
  path: string;
}

export interface EnvReference {
  /** The option path (and index) that holds it. */
  path: string;
  line: number | null;
  variable: string;
  /** The default written after `:-` / `-`, or null when there is none. */
  fallback: string | null;
}

export interface BorgmaticFile {
  options: Map<string, Opt>;
  /** Line of a value by its full path (`retention.keep_daily`, `repositories[1].path`, `source_directories[0]`). */
  lines: Map<string, number>;
  /** `${VAR}` references met; those without a default left their value out (undefined / dropped from a list). */
  env: EnvReference[];
  /** Tags borgmatic resolves when it loads the file (`!include FILE`, `!retain`, `!omit`). */
  tags: { tag: string; value: string; line: number | null }[];
  /** The same option in two sections (`prefix` in both retention and consistency). */
  duplicates: { name: string; first: Opt; second: Opt }[];
  errors: { message: string; line: number | null }[];
}

const VARIABLE = /(\\)?\$\{([A-Za-z0-9_]+)(?:(:?-)([^}]+))?\}/g;

function pathJoin(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

export function readBorgmaticYaml(text: string): BorgmaticFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, merge: true, uniqueKeys: false, prettyErrors: false, strict: false });
  const lineAt = (node: YamlNode | null | undefined): number | null => (node?.range ? lc.linePos(node.range[0]).line : null);
  const out: BorgmaticFile = { options: new Map(), lines: new Map(), env: [], tags: [], duplicates: [], errors: [] };
  for (const e of doc.errors)
    out.errors.push({ message: e.message.split('\n')[0]!, line: e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line });
  if (out.errors.length) return out;
  if (doc.contents !== null && !isMap(doc.contents)) {
    out.errors.push({
      message: 'the file is not a borgmatic configuration (its top level is not a set of options)',
      line: lineAt(doc.contents),
    });
    return out;
  }

  // Lines of every key and list item, and borgmatic's own tags.
  const walk = (node: unknown, path: string): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const p = pathJoin(path, key);
        const line = lineAt(pair.key as YamlNode) ?? lineAt(pair.value as YamlNode);
        if (line !== null) out.lines.set(p, line);
        walk(pair.value, p);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const line = lineAt(item as YamlNode);
        if (line !== null) out.lines.set(`${path}[${i}]`, line);
        walk(item, `${path}[${i}]`);
      });
    }
    const tag = (node as { tag?: string } | null)?.tag;
    if (tag && /^!(include|retain|omit)$/.test(tag)) {
      out.tags.push({ tag, value: isScalar(node) ? String(node.value) : '', line: lineAt(node as YamlNode) });
    }
  };
  walk(doc.contents, '');

  // `<<: !include file` merges another file in borgmatic; here it is only named (above), not merged.
  const dropIncludes = (node: unknown): void => {
    if (!isMap(node)) return;
    node.items = node.items.filter((pair) => !(isScalar(pair.key) && isMergeKey(pair.key.value) && isScalar(pair.value)));
    for (const pair of node.items) dropIncludes(pair.value);
  };
  dropIncludes(doc.contents);

  let root: Record<string, unknown>;
  try {
    root = (doc.toJS({ maxAliasCount: 1000 }) ?? {}) as Record<string, unknown>;
  } catch (e) {
    out.errors.push({ message: e instanceof Error ? e.message : String(e), line: null });
    return out;
  }
  const constants = isPlainObject(root.constants) ? (root.constants as Record<string, unknown>) : {};

  // `{name}` of `constants:` first, as borgmatic does when it loads the file, then `${VAR}`.
  const resolve = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') {
      let s = value;
      for (const [name, c] of Object.entries(constants)) if (c !== null && typeof c !== 'object') s = s.split(`{${name}}`).join(String(c));
      let missing = false;
      s = s.replace(
        VARIABLE,
        (whole: string, escape: string | undefined, variable: string, _op: string | undefined, fallback: string | undefined) => {
          if (escape) return whole.slice(1);
          const line = out.lines.get(path) ?? null;
          out.env.push({ path, line, variable, fallback: fallback ?? null });
          if (fallback === undefined) missing = true;
          return fallback ?? '';
        },
      );
      return missing ? undefined : s;
    }
    if (Array.isArray(value)) {
      return value.map((v, i) => resolve(v, `${path}[${i}]`));
    }
    if (isPlainObject(value)) {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) o[k] = resolve(v, pathJoin(path, k));
      return o;
    }
    return value;
  };

  const put = (name: string, value: unknown, path: string): void => {
    const opt: Opt = { value: resolve(value, path), line: out.lines.get(path) ?? null, path };
    const first = out.options.get(name);
    if (first) out.duplicates.push({ name, first, second: opt });
    else out.options.set(name, opt);
  };
  for (const [key, value] of Object.entries(root)) {
    if ((SECTIONS as readonly string[]).includes(key) && (isPlainObject(value) || value === null)) {
      for (const [name, v] of Object.entries((value ?? {}) as Record<string, unknown>)) put(name, v, `${key}.${name}`);
    } else if (key !== 'constants') put(key, value, key);
  }
  return out;
}

/** The yaml package reads a `<<` key as a symbol when merge keys are on. */
function isMergeKey(k: unknown): boolean {
  return typeof k === 'symbol' ? k.description === '<<' : k === '<<';
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
