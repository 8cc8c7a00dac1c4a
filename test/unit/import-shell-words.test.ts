import { describe, expect, it } from 'vitest';
import { assignmentOf, expandWord, parseScript, plainText, type Scope, type Value } from '../../src/import/shell-words.js';

const value = (text: string, extra: Partial<Value> = {}): Value => ({ text, subst: null, unset: [], unsupported: null, ...extra });

function scope(vars: Record<string, Value> = {}): Scope {
  return { home: '/Users/me', get: (name) => vars[name] };
}

/** Each command's words, expanded with the given variables. */
function words(script: string, vars: Record<string, Value> = {}): string[][] {
  return parseScript(script).commands.map((c) => c.words.flatMap((w) => expandWord(w, scope(vars)).fields));
}

describe('parseScript: words', () => {
  it('keeps single-quoted text as written, with no expansion inside', () => {
    expect(words(`echo 'a $X "b"' c`, { X: value('no') })).toEqual([['echo', 'a $X "b"', 'c']]);
  });

  it('expands variables inside double quotes and honours backslash escapes there', () => {
    expect(words(`echo "a $X \\"q\\" \\$Y \\\\"`, { X: value('1') })).toEqual([['echo', 'a 1 "q" $Y \\']]);
  });

  it('joins quoted and unquoted pieces into one word', () => {
    expect(words(`borg create ::'{hostname}-'"$N"-{now} ~/Documents`, { N: value('daily') })).toEqual([
      ['borg', 'create', '::{hostname}-daily-{now}', '/Users/me/Documents'],
    ]);
  });

  it("reads $'…' quotes with their escapes", () => {
    expect(words(`echo $'a\\tb\\'c'`)).toEqual([['echo', "a\tb'c"]]);
  });

  it('treats a backslash-newline as nothing, so one command spans lines', () => {
    const parsed = parseScript('borg create \\\n  --stats \\\n  ::x /a\necho done\n');
    expect(parsed.commands.map((c) => [c.line, c.endLine, c.words.length])).toEqual([
      [1, 3, 5],
      [4, 4, 2],
    ]);
    expect(parsed.commands[0]!.words.map((w) => w.line)).toEqual([1, 1, 2, 3, 3]);
  });

  it('escapes a blank with a backslash', () => {
    expect(words('ls /Volumes/My\\ Disk')).toEqual([['ls', '/Volumes/My Disk']]);
  });

  it('drops comments, but not a # inside a word or quotes', () => {
    expect(words('echo a#b "#c" # a comment\n# whole line\necho d')).toEqual([
      ['echo', 'a#b', '#c'],
      ['echo', 'd'],
    ]);
  });

  it('splits commands at ; && || | & and newlines, and remembers pipes', () => {
    const parsed = parseScript('a; b && c || d | e & f\ng');
    expect(parsed.commands.map((c) => plainText(c.words[0]!))).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(parsed.commands.map((c) => c.after)).toEqual([';', '&&', '||', '|', '&', '\n', 'end']);
    expect(parsed.commands.find((c) => plainText(c.words[0]!) === 'e')!.pipedFrom).toBe(true);
  });

  it('leaves redirections and their targets out of the words, including 2>&1', () => {
    expect(words('borg create ::x /a >> "$LOG" 2>&1 </dev/null')).toEqual([['borg', 'create', '::x', '/a']]);
  });

  it('skips the body of a here-document', () => {
    expect(words('cat > /tmp/x <<EOF\nborg create ::y /b\nEOF\necho after')).toEqual([['cat'], ['echo', 'after']]);
  });

  it('reports a quote that is never closed, with its line', () => {
    expect(parseScript("echo ok\necho 'oops\n").problems).toEqual([{ line: 2, message: 'a single quote is never closed' }]);
  });

  it('knows function definitions in both spellings', () => {
    const parsed = parseScript('notify() {\n  osascript -e x\n}\nfunction log_it {\n echo\n}');
    expect(parsed.commands.filter((c) => c.defines !== undefined).map((c) => c.defines)).toEqual(['notify', 'log_it']);
  });
});

describe('command substitution is recognised and never run', () => {
  it('marks $(…), backticks and $((…)) in a word, keeping them as text', () => {
    for (const [script, subst] of [
      ['echo a-$(hostname -s)-b', '$(hostname -s)'],
      ['echo "`date +%F`"', '`date +%F`'],
      ['echo $((1 + 2))', '$((1 + 2))'],
      ['echo "$(cat "/x/y z")"', '$(cat "/x/y z")'],
    ] as const) {
      const w = parseScript(script).commands[0]!.words[1]!;
      const e = expandWord(w, scope());
      expect(e.subst, script).toBe(subst);
      expect(e.fields.join(' ')).toContain(subst);
    }
  });

  it('carries the mark through a variable that holds one', () => {
    const e = expandWord(parseScript('echo "$TODAY"').commands[0]!.words[1]!, scope({ TODAY: value('$(date)', { subst: '$(date)' }) }));
    expect(e.subst).toBe('$(date)');
  });
});

describe('expandWord: variables', () => {
  it('expands $X, ${X}, and the defaults of ${X:-…} and ${X-…}', () => {
    const vars = { SET: value('yes'), EMPTY: value('') };
    expect(words('echo $SET ${SET}x ${NOPE:-dflt} ${EMPTY:-dflt} ${EMPTY-dflt}x ${SET:+alt}', vars)).toEqual([
      ['echo', 'yes', 'yesx', 'dflt', 'dflt', 'x', 'alt'],
    ]);
  });

  it('says which variables were never set', () => {
    const e = expandWord(parseScript('echo $NOPE/x').commands[0]!.words[1]!, scope());
    expect(e.unset).toEqual(['NOPE']);
    expect(e.fields).toEqual(['/x']);
  });

  it('splits an unquoted expansion at blanks but not a quoted one', () => {
    const vars = { OPTS: value('--exclude a  --exclude b') };
    expect(words('borg $OPTS "$OPTS"', vars)).toEqual([['borg', '--exclude', 'a', '--exclude', 'b', '--exclude a  --exclude b']]);
  });

  it('gives the elements of an array with "${A[@]}", each one word', () => {
    const vars = { A: value('x y z', { items: ['x y', 'z'] }) };
    expect(words('cmd "${A[@]}"', vars)).toEqual([['cmd', 'x y', 'z']]);
  });

  it('expands a leading ~ and ~/ (not a quoted one, not one mid-word)', () => {
    expect(words(`ls ~ ~/Documents '~/x' a~b`)).toEqual([['ls', '/Users/me', '/Users/me/Documents', '~/x', 'a~b']]);
  });

  it('marks expansions it does not do', () => {
    const e = expandWord(parseScript('echo ${X%.sh}').commands[0]!.words[1]!, scope({ X: value('a.sh') }));
    expect(e.unsupported).toBe('${X%.sh}');
  });

  it('an empty quoted word stays one empty word; an empty unquoted expansion is none', () => {
    expect(words('cmd "" $EMPTY "$EMPTY"', { EMPTY: value('') })).toEqual([['cmd', '', '']]);
  });
});

describe('assignments', () => {
  it('finds NAME=value and its value word, with a tilde after the =', () => {
    const w = parseScript('REPO=~/backup').commands[0]!.words[0]!;
    const a = assignmentOf(w)!;
    expect(a.name).toBe('REPO');
    expect(expandWord(a.value, scope(), false).fields).toEqual(['/Users/me/backup']);
  });

  it('is not fooled by a quoted = or a word that only contains one later', () => {
    expect(assignmentOf(parseScript("'A=b'").commands[0]!.words[0]!)).toBeNull();
    expect(assignmentOf(parseScript('--exclude=x').commands[0]!.words[0]!)).toBeNull();
  });

  it('reads NAME=(a b c) as an array assignment', () => {
    const w = parseScript('SOURCES=( ~/a "b c"\n  d )\necho').commands[0]!.words[0]!;
    expect(w.array!.map((x) => expandWord(x, scope()).fields[0])).toEqual(['/Users/me/a', 'b c', 'd']);
  });
});
