/**
 * Before anything is written: what the selection of an archive holds (`borg list` of the same paths,
 * NUL-separated, since names may hold newlines). The plan (restore-plan.ts) decides from it what may
 * be written, and which requested paths the archive does not have.
 */
import type { ScanItem } from './restore-plan.js';

const FIELDS = 4;

/**
 * Records of `{type}{NUL}{path}{NUL}{source}{NUL}{size}{NUL}`. A cut-off last record (borg stopped)
 * is dropped. A name cannot hold a NUL, so a NUL always ends a field.
 */
export function parseScan(text: string): ScanItem[] {
  const fields = text.split('\0');
  const items: ScanItem[] = [];
  // The part after the last NUL is not a whole field: only fields before it count.
  const whole = fields.length - 1;
  for (let i = 0; i + FIELDS <= whole; i += FIELDS) {
    const type = fields[i]!;
    const path = fields[i + 1]!;
    const source = fields[i + 2]!;
    const size = Number(fields[i + 3]);
    items.push({ type, path, source, size: Number.isFinite(size) ? size : 0 });
  }
  return items;
}
