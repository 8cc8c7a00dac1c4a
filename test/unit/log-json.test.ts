import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LineSplitter, parseLogLine, type BorgEvent } from '../../src/borg/log-json.js';

const fixture = (name: string): Buffer => readFileSync(fileURLToPath(new URL(`../fixtures/borg/${name}.stderr`, import.meta.url)));

function parseAll(bytes: Buffer, chunkSize = bytes.length): BorgEvent[] {
  const splitter = new LineSplitter();
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) lines.push(...splitter.push(bytes.subarray(i, i + chunkSize)));
  lines.push(...splitter.end());
  return lines.map(parseLogLine).filter((e): e is BorgEvent => e !== null);
}

describe('parseLogLine on real borg 1.2.4 output', () => {
  it('parses a create with --progress --list --filter=AME', () => {
    const events = parseAll(fixture('create-success'));
    expect(events.every((e) => e.type !== 'text')).toBe(true);
    const files = events.filter((e) => e.type === 'file_status');
    expect(files).toContainEqual({ type: 'file_status', status: 'A', path: '/tmp/dand-rec/w/src/sub/ünïcode.txt' });
    expect(files).toHaveLength(3);
    const commit = events.filter((e) => e.type === 'progress_message' && e.msgid === 'cache.commit');
    expect(commit.at(-1)).toMatchObject({ operation: 2, finished: true });
    expect(commit[0]).toMatchObject({ message: 'Saving files cache', finished: false });
  });

  it('gives archive_progress running totals, and defaults on the bare final line', () => {
    const progress = parseAll(fixture('create-long')).filter((e) => e.type === 'archive_progress');
    expect(progress[1]).toEqual({
      type: 'archive_progress',
      originalSize: 41058011,
      compressedSize: 41058570,
      deduplicatedSize: 41058570,
      nfiles: 0,
      path: 'tmp/dand-rec/w/bigsrc/f1.bin',
      time: 1795767286.4577956,
      finished: false,
    });
    // borg ends with {"time": ..., "type": "archive_progress", "finished": true} and nothing else.
    expect(progress.at(-1)).toMatchObject({ originalSize: 0, nfiles: 0, path: '', finished: true });
  });

  it('parses progress_percent from extract', () => {
    const pct = parseAll(fixture('extract-progress')).filter((e) => e.type === 'progress_percent');
    expect(pct[1]).toMatchObject({ msgid: 'extract', current: 14, total: 300020, operation: 1, finished: false });
    expect(pct.at(-1)).toEqual({ type: 'progress_percent', operation: 1, msgid: 'extract', finished: true, time: 1795767284.4657426 });
  });

  it('maps question_* types to question events', () => {
    const q = parseAll(fixture('relocated-repo-question')).filter((e) => e.type === 'question');
    expect(q.map((e) => e.type === 'question' && e.kind)).toEqual(['prompt', 'accepted_false']);
    expect(q[0]).toMatchObject({ msgid: 'BORG_RELOCATED_REPO_ACCESS_IS_OK' });
    expect(q[0]?.type === 'question' && q[0].message).toContain('Do you want to continue?');
  });

  it('finds the JSON behind a passphrase prompt written without a newline', () => {
    const events = parseAll(fixture('passphrase-missing'));
    expect(events).toContainEqual({ type: 'text', line: 'Warning: Password input may be echoed.' });
    expect(events.at(-1)).toMatchObject({ type: 'log_message', level: 'ERROR', msgid: 'NoPassphraseFailure', name: 'borg.archiver' });
  });

  it('keeps ssh lines relayed by borg as log messages', () => {
    const [first] = parseAll(fixture('ssh-host-unknown'));
    expect(first).toEqual({
      type: 'log_message',
      level: 'WARNING',
      name: 'root',
      message: 'Remote: Host key verification failed.',
      time: expect.any(Number),
    });
  });

  it('parses the same events whatever the chunk size', () => {
    for (const name of ['create-success', 'ssh-host-changed', 'lock-failed', 'passphrase-missing']) {
      const whole = parseAll(fixture(name));
      expect(parseAll(fixture(name), 1)).toEqual(whole);
      expect(parseAll(fixture(name), 7)).toEqual(whole);
    }
  });
});

describe('parseLogLine defensiveness', () => {
  it('returns null for blank lines', () => {
    expect(parseLogLine('')).toBeNull();
    expect(parseLogLine('   \t')).toBeNull();
  });

  it('keeps non-JSON and malformed JSON as text', () => {
    expect(parseLogLine('Host key verification failed.')).toEqual({ type: 'text', line: 'Host key verification failed.' });
    expect(parseLogLine('{"type": "log_message", "message": ')).toEqual({ type: 'text', line: '{"type": "log_message", "message":' });
    expect(parseLogLine('[1,2]')).toEqual({ type: 'text', line: '[1,2]' });
    expect(parseLogLine('null')).toEqual({ type: 'text', line: 'null' });
    expect(parseLogLine('{"type": "something_new", "x": 1}')).toMatchObject({ type: 'text' });
    expect(parseLogLine('{"no_type": true}')).toMatchObject({ type: 'text' });
  });

  it('fills defaults for missing or mistyped fields', () => {
    expect(parseLogLine('{"type": "log_message"}')).toEqual({ type: 'log_message', level: 'INFO', name: '', message: '' });
    expect(parseLogLine('{"type": "log_message", "levelname": "warn", "message": 5, "created": 12.5}')).toEqual({
      type: 'log_message',
      level: 'WARNING',
      name: '',
      message: '',
      time: 12.5,
    });
    expect(parseLogLine('{"type": "file_status"}')).toEqual({ type: 'file_status', status: '?', path: '' });
    expect(parseLogLine('{"type": "archive_progress", "original_size": "big", "finished": "yes"}')).toEqual({
      type: 'archive_progress',
      originalSize: 0,
      compressedSize: 0,
      deduplicatedSize: 0,
      nfiles: 0,
      path: '',
      finished: false,
    });
    expect(parseLogLine('{"type": "progress_message", "msgid": null}')).toEqual({ type: 'progress_message', finished: false });
    expect(parseLogLine('{"type": "question_env_answer", "msgid": "X"}')).toEqual({
      type: 'question',
      kind: 'env_answer',
      msgid: 'X',
      message: '',
    });
  });
});

describe('LineSplitter', () => {
  it('joins a line split across chunks and holds back the partial tail', () => {
    const s = new LineSplitter();
    expect(s.push('{"type": "file_')).toEqual([]);
    expect(s.push('status"}\nsecond')).toEqual(['{"type": "file_status"}']);
    expect(s.bufferedLength).toBe('second'.length);
    expect(s.end()).toEqual(['second']);
    expect(s.bufferedLength).toBe(0);
  });

  it('treats \\r\\n, a \\r\\n split across chunks, and a lone \\r as one break each', () => {
    const s = new LineSplitter();
    expect(s.push('a\r\nb\r')).toEqual(['a', 'b']);
    expect(s.push('\nc\rd\n\n')).toEqual(['c', 'd', '']);
    expect(s.end()).toEqual([]);
  });

  it('decodes a UTF-8 character split across chunks', () => {
    const bytes = Buffer.from('{"path": "ünï"}\n', 'utf8');
    const at = bytes.indexOf(0xc3) + 1; // between the two bytes of "ü"
    const s = new LineSplitter();
    expect(s.push(bytes.subarray(0, at))).toEqual([]);
    expect(s.push(bytes.subarray(at))).toEqual(['{"path": "ünï"}']);
  });

  it('does not let a stream without newlines grow without bound', () => {
    const s = new LineSplitter(100);
    const out: string[] = [];
    for (let i = 0; i < 50; i++) out.push(...s.push('0123456789'));
    expect(s.bufferedLength).toBeLessThanOrEqual(100);
    expect(out.join('') + s.end().join('')).toBe('0123456789'.repeat(50));
  });

  it('splits 100k lines fed in small chunks while buffering at most one line', () => {
    const line = (i: number) => `{"type": "file_status", "status": "A", "path": "/data/ö/${i}"}`;
    const bytes = Buffer.from(Array.from({ length: 100_000 }, (_, i) => line(i)).join('\n') + '\n', 'utf8');
    const s = new LineSplitter();
    let count = 0;
    let maxBuffered = 0;
    for (let i = 0; i < bytes.length; i += 13) {
      for (const l of s.push(bytes.subarray(i, i + 13))) {
        if (count === 54_321) expect(l).toBe(line(54_321));
        count++;
      }
      maxBuffered = Math.max(maxBuffered, s.bufferedLength);
    }
    expect(s.end()).toEqual([]);
    expect(count).toBe(100_000);
    expect(maxBuffered).toBeLessThan(line(99_999).length);
  });
});

describe('parseLogLine field by field', () => {
  it('reads every level borg writes, in any case, and falls back to INFO for anything else', () => {
    const levelOf = (levelname: unknown) => {
      const e = parseLogLine(JSON.stringify({ type: 'log_message', levelname, message: 'm' }));
      return e?.type === 'log_message' ? e.level : null;
    };
    expect(['DEBUG', 'info', 'Warning', 'WARN', 'error', 'CRITICAL'].map(levelOf)).toEqual([
      'DEBUG',
      'INFO',
      'WARNING',
      'WARNING',
      'ERROR',
      'CRITICAL',
    ]);
    expect([undefined, 'NOTICE', 40, ''].map(levelOf)).toEqual(['INFO', 'INFO', 'INFO', 'INFO']);
  });

  it('keeps name, msgid and time of a log message, preferring time over created', () => {
    expect(
      parseLogLine(
        '{"type": "log_message", "levelname": "ERROR", "name": "borg.repository", "message": "m", "msgid": "LockTimeout", "time": 2, "created": 1}',
      ),
    ).toEqual({ type: 'log_message', level: 'ERROR', name: 'borg.repository', message: 'm', msgid: 'LockTimeout', time: 2 });
  });

  it('drops a number JSON cannot represent finitely', () => {
    expect(parseLogLine('{"type": "log_message", "message": "m", "time": 1e999}')).toEqual({
      type: 'log_message',
      level: 'INFO',
      name: '',
      message: 'm',
    });
  });

  it('reads a file status line', () => {
    expect(parseLogLine('{"type": "file_status", "status": "M", "path": "/a b"}')).toEqual({
      type: 'file_status',
      status: 'M',
      path: '/a b',
    });
  });

  it('reads every archive_progress total', () => {
    expect(
      parseLogLine(
        '{"type": "archive_progress", "original_size": 10, "compressed_size": 8, "deduplicated_size": 3, "nfiles": 2, "path": "p", "time": 5, "finished": true}',
      ),
    ).toEqual({
      type: 'archive_progress',
      originalSize: 10,
      compressedSize: 8,
      deduplicatedSize: 3,
      nfiles: 2,
      path: 'p',
      time: 5,
      finished: true,
    });
  });

  it('reads every progress_message and progress_percent field', () => {
    expect(
      parseLogLine('{"type": "progress_message", "operation": 3, "msgid": "cache.begin_transaction", "message": "Init", "time": 1}'),
    ).toEqual({
      type: 'progress_message',
      operation: 3,
      msgid: 'cache.begin_transaction',
      message: 'Init',
      finished: false,
      time: 1,
    });
    expect(
      parseLogLine(
        '{"type": "progress_percent", "operation": 1, "msgid": "check", "message": "Checking 50%", "current": 5, "total": 10, "finished": false, "time": 7}',
      ),
    ).toEqual({
      type: 'progress_percent',
      operation: 1,
      msgid: 'check',
      message: 'Checking 50%',
      current: 5,
      total: 10,
      finished: false,
      time: 7,
    });
  });

  it('names the question by what follows question_', () => {
    expect(parseLogLine('{"type": "question_prompt_retry", "message": "Retry?"}')).toEqual({
      type: 'question',
      kind: 'prompt_retry',
      message: 'Retry?',
    });
    expect(parseLogLine('{"type": "questionable"}')).toMatchObject({ type: 'text' });
    expect(parseLogLine('{"type": 42}')).toMatchObject({ type: 'text' });
  });

  it('parses a JSON line with surrounding whitespace, and keeps a text line’s leading indentation', () => {
    expect(parseLogLine('  {"type": "file_status", "status": "A", "path": "x"}\r')).toEqual({
      type: 'file_status',
      status: 'A',
      path: 'x',
    });
    expect(parseLogLine('    at frame 1   ')).toEqual({ type: 'text', line: '    at frame 1' });
  });

  it('keeps a prompt as text when what follows it is not a borg event', () => {
    expect(parseLogLine('Enter passphrase: {"not": "an event"}')).toEqual({ type: 'text', line: 'Enter passphrase: {"not": "an event"}' });
    expect(parseLogLine('Enter passphrase: {"broken')).toEqual({ type: 'text', line: 'Enter passphrase: {"broken' });
    expect(parseLogLine('Enter passphrase: {"type": "file_status", "status": "A", "path": "x"}')).toEqual({
      type: 'file_status',
      status: 'A',
      path: 'x',
    });
  });
});

describe('LineSplitter edge cases', () => {
  it('holds exactly maxLine characters back, and flushes only beyond', () => {
    const s = new LineSplitter(10);
    expect(s.push('0123456789')).toEqual([]);
    expect(s.bufferedLength).toBe(10);
    expect(s.push('a')).toEqual(['0123456789a']);
    expect(s.bufferedLength).toBe(0);
  });

  it('remembers a trailing \\r across an empty chunk', () => {
    const s = new LineSplitter();
    expect(s.push('a\r')).toEqual(['a']);
    expect(s.push('')).toEqual([]);
    expect(s.push('\nb\n')).toEqual(['b']);
  });

  it('treats a \\n right after a chunk ending in \\n as an empty line', () => {
    const s = new LineSplitter();
    expect(s.push('a\n')).toEqual(['a']);
    expect(s.push('\nb\n')).toEqual(['', 'b']);
  });

  it('forgets a trailing \\r once the stream ends', () => {
    const s = new LineSplitter();
    expect(s.push('a\r')).toEqual(['a']);
    expect(s.end()).toEqual([]);
    expect(s.push('\nb\n')).toEqual(['', 'b']);
  });

  it('forgets a \\r once a later chunk followed it', () => {
    const s = new LineSplitter();
    expect(s.push('a\r')).toEqual(['a']);
    expect(s.push('b')).toEqual([]);
    expect(s.push('\nc\n')).toEqual(['b', 'c']);
  });

  it('flushes a final line without a newline, and nothing when there is none', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('x\ny'))).toEqual(['x']);
    expect(s.end()).toEqual(['y']);
    expect(s.end()).toEqual([]);
  });

  it('has a large default line limit, so ordinary long lines stay whole', () => {
    const s = new LineSplitter();
    const long = 'x'.repeat(1_000_000);
    expect(s.push(long)).toEqual([]);
    expect(s.push('\n')).toEqual([long]);
  });
});

describe('LineSplitter and parseLogLine: what a fresh or later chunk starts with', () => {
  it('reads a \\n at the very start of a stream as an empty line', () => {
    expect(new LineSplitter().push('\na\n')).toEqual(['', 'a']);
  });

  it('only swallows a \\n that directly follows the \\r ending the previous chunk', () => {
    const s = new LineSplitter();
    expect(s.push('a\r')).toEqual(['a']);
    expect(s.push('b\n')).toEqual(['b']);
  });

  it('does not carry a \\r from the middle of a chunk over to the next one', () => {
    const s = new LineSplitter();
    expect(s.push('a\rb')).toEqual(['a']);
    expect(s.push('\nc\n')).toEqual(['b', 'c']);
  });

  it('leaves absent optional fields out of the event instead of setting them to undefined', () => {
    expect(Object.keys(parseLogLine('{"type": "log_message"}')!)).toEqual(['type', 'level', 'name', 'message']);
    expect(JSON.stringify(parseLogLine('{"type": "progress_percent", "finished": true}'))).toBe(
      '{"type":"progress_percent","finished":true}',
    );
  });
});
