/**
 * The Exec key of a desktop entry, read per the Desktop Entry Specification ("The Exec key"): the
 * string escapes first (\s \n \t \r \\), then the quoting (arguments in double quotes, where `"`,
 * `` ` ``, `$` and `\` are escaped by a backslash), then `%%` → `%`. Strict: anything the
 * specification leaves undefined (an unknown escape, an unquoted reserved character, a field code
 * in an entry with none) throws.
 */
export function readExec(entry: string): string[] {
  const lines = entry.split('\n');
  const start = lines.indexOf('[Desktop Entry]');
  if (start < 0) throw new Error('no [Desktop Entry] group');
  const line = lines.slice(start + 1).find((l) => l.startsWith('Exec='));
  if (line === undefined) throw new Error('no Exec key');
  const raw = line.slice('Exec='.length);
  let value = '';
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== '\\') {
      value += raw[i];
      continue;
    }
    const next = raw[++i];
    const map: Record<string, string> = { s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' };
    if (next === undefined || !(next in map)) throw new Error(`undefined string escape \\${next ?? ''} in ${raw}`);
    value += map[next];
  }
  const argv: string[] = [];
  let i = 0;
  while (i < value.length) {
    if (value[i] === ' ') {
      i++;
      continue;
    }
    let arg = '';
    if (value[i] === '"') {
      i++;
      for (;;) {
        if (i >= value.length) throw new Error(`unterminated quote in ${value}`);
        const c = value[i]!;
        if (c === '"') break;
        if (c === '\\') {
          const n = value[i + 1];
          if (n === undefined || !'"`$\\'.includes(n)) throw new Error(`undefined escape in quotes: \\${n ?? ''}`);
          arg += n;
          i += 2;
          continue;
        }
        arg += c;
        i++;
      }
      i++;
      if (i < value.length && value[i] !== ' ') throw new Error('a quoted argument must stand alone');
    } else {
      while (i < value.length && value[i] !== ' ') {
        if (/[\t\n"'\\><~|&;$*?#()`]/.test(value[i]!)) throw new Error(`reserved character ${value[i]} outside quotes`);
        arg += value[i++];
      }
    }
    const fieldCode = /%(.)/.exec(arg.replace(/%%/g, ''));
    if (fieldCode) throw new Error(`field code %${fieldCode[1]} in an entry that takes no files`);
    argv.push(arg.replace(/%%/g, '%'));
  }
  return argv;
}
