/**
 * Parser for borg's `--log-json` stderr stream (one JSON object per line, see borg docs
 * "All about JSON: How to develop frontends"). Lines that are not borg JSON (ssh's own
 * stderr, python warnings, argparse errors) are kept as text events.
 */
import { StringDecoder } from 'node:string_decoder';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

export type BorgEvent =
  | { type: 'log_message'; level: LogLevel; name: string; message: string; msgid?: string; time?: number }
  | { type: 'file_status'; status: string; path: string }
  | {
      type: 'archive_progress';
      originalSize: number;
      compressedSize: number;
      deduplicatedSize: number;
      nfiles: number;
      path: string;
      time?: number;
      finished: boolean;
    }
  | { type: 'progress_message'; operation?: number; msgid?: string; message?: string; finished: boolean; time?: number }
  | {
      type: 'progress_percent';
      operation?: number;
      msgid?: string;
      message?: string;
      current?: number;
      total?: number;
      /** What borg is at (extract: the path), when it says. */
      info?: string[];
      finished: boolean;
      time?: number;
    }
  | { type: 'question'; kind: string; msgid?: string; message: string }
  | { type: 'text'; line: string };

// A line longer than this is flushed as-is, so a stream without newlines can't grow memory without bound.
const DEFAULT_MAX_LINE = 4 * 1024 * 1024;
const LF = 10;

/**
 * Splits a byte stream into lines. `\n`, `\r\n` and a lone `\r` all end a line: borg and ssh
 * redraw progress with `\r`, and those lines must not pile up into one giant partial line.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private afterCR = false;

  constructor(private readonly maxLine = DEFAULT_MAX_LINE) {}

  /** Characters currently held back waiting for the end of a line. */
  get bufferedLength(): number {
    return this.partial.length;
  }

  push(chunk: Buffer | string): string[] {
    return this.consume(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
  }

  end(): string[] {
    const out = this.consume(this.decoder.end());
    if (this.partial) out.push(this.partial);
    this.partial = '';
    this.afterCR = false;
    return out;
  }

  private consume(text: string): string[] {
    const out: string[] = [];
    let start = 0;
    // A `\r\n` split across two chunks is one line break, not two.
    if (this.afterCR && text.charCodeAt(0) === LF) start = 1;
    if (text.length > 0) this.afterCR = false;
    // indexOf, not a regex: borg ends every line with \n, and a chunk of a listing holds a hundred of them.
    // A chunk without \r (nearly all) looks for one once.
    let lf = text.indexOf('\n', start);
    let cr = text.indexOf('\r', start);
    while (lf !== -1 || cr !== -1) {
      const lineStart = start;
      let end: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        if (text.charCodeAt(cr + 1) === LF) start = cr + 2;
        else {
          start = cr + 1;
          if (start === text.length) this.afterCR = true;
        }
      } else {
        end = lf;
        start = lf + 1;
      }
      out.push(this.partial + text.slice(lineStart, end));
      this.partial = '';
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
    }
    this.partial += text.slice(start);
    if (this.partial.length > this.maxLine) {
      out.push(this.partial);
      this.partial = '';
    }
    return out;
  }
}

type Json = Record<string, unknown>;

const LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const bool = (v: unknown): boolean => v === true;

function level(v: unknown): LogLevel {
  const upper = typeof v === 'string' ? v.toUpperCase() : '';
  if (upper === 'WARN') return 'WARNING';
  return (LEVELS as readonly string[]).includes(upper) ? (upper as LogLevel) : 'INFO';
}

/** Drops undefined optionals so events compare cleanly and serialise small. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function toEvent(o: Json): BorgEvent | null {
  const type = o.type;
  switch (type) {
    case 'log_message':
      return compact({
        type,
        level: level(o.levelname),
        name: str(o.name) ?? '',
        message: str(o.message) ?? '',
        msgid: str(o.msgid),
        // borg's docs show `created` in one example; real 1.2 output uses `time`.
        time: num(o.time) ?? num(o.created),
      });
    case 'file_status':
      return { type, status: str(o.status) ?? '?', path: str(o.path) ?? '' };
    case 'archive_progress':
      // borg's final archive_progress line has only `time` and `finished`.
      return compact({
        type,
        originalSize: num(o.original_size) ?? 0,
        compressedSize: num(o.compressed_size) ?? 0,
        deduplicatedSize: num(o.deduplicated_size) ?? 0,
        nfiles: num(o.nfiles) ?? 0,
        path: str(o.path) ?? '',
        time: num(o.time),
        finished: bool(o.finished),
      });
    case 'progress_message':
      return compact({
        type,
        operation: num(o.operation),
        msgid: str(o.msgid),
        message: str(o.message),
        finished: bool(o.finished),
        time: num(o.time),
      });
    case 'progress_percent':
      return compact({
        type,
        operation: num(o.operation),
        msgid: str(o.msgid),
        message: str(o.message),
        current: num(o.current),
        total: num(o.total),
        info: Array.isArray(o.info) ? o.info.filter((x): x is string => typeof x === 'string') : undefined,
        finished: bool(o.finished),
        time: num(o.time),
      });
    default:
      if (typeof type === 'string' && type.startsWith('question_')) {
        const kind = type.slice('question_'.length);
        return compact({ type: 'question' as const, kind, msgid: str(o.msgid), message: str(o.message) ?? '' });
      }
      return null;
  }
}

function tryJson(s: string): Json | null {
  try {
    const v: unknown = JSON.parse(s);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
  } catch {
    return null;
  }
}

/** Returns null for blank lines. Never throws: anything unrecognised becomes a text event. */
export function parseLogLine(line: string): BorgEvent | null {
  const trimmed = line.trim();
  if (!trimmed) return null;
  let obj = trimmed.startsWith('{') ? tryJson(trimmed) : null;
  if (!obj) {
    // An interactive prompt is written without a newline, so the next JSON object lands on its line:
    // `Enter passphrase for key /repo: {"type": "log_message", ...}` (recorded from borg 1.2.4).
    const at = trimmed.indexOf('{"');
    if (at > 0) obj = tryJson(trimmed.slice(at));
  }
  return (obj && toEvent(obj)) ?? { type: 'text', line: line.trimEnd() };
}
