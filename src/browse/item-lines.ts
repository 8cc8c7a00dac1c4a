/**
 * `borg list --json-lines` output as it arrives, chunk by chunk, into items. borg's JSON is ASCII
 * (names are escaped: a newline in a name is `\n` inside the string), so a line ends at the first
 * 0x0A byte. Only the bytes of an unfinished line are held between chunks.
 */
import type { ListedItem } from './builder.js';

export class ItemLines {
  private rest: Buffer | null = null;
  /** Lines that were not JSON (none expected; counted for tests and diagnostics). */
  skipped = 0;

  constructor(private readonly each: (item: ListedItem) => void) {}

  push(chunk: Buffer): void {
    const last = chunk.lastIndexOf(10);
    if (last < 0) {
      this.rest = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
      return;
    }
    const head = this.rest ? Buffer.concat([this.rest, chunk.subarray(0, last + 1)]) : chunk.subarray(0, last + 1);
    this.rest = last + 1 < chunk.length ? Buffer.from(chunk.subarray(last + 1)) : null;
    this.lines(head.toString('utf8'));
  }

  end(): void {
    if (this.rest) this.lines(this.rest.toString('utf8'));
    this.rest = null;
  }

  private lines(text: string): void {
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      if (end > start) {
        try {
          this.each(JSON.parse(text.slice(start, end)) as ListedItem);
        } catch {
          this.skipped++;
        }
      }
      start = end + 1;
    }
  }
}
