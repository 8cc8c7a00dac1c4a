/**
 * Vorta profile export (JSON). Placeholder until the "import-borgmatic"
 * part lands: it reads nothing yet, and says so.
 */
import type { ImportContext } from './context.js';
import { emptyImport, type ImportResult } from './model.js';

export function readVorta(text: string, file: string, ctx: ImportContext): ImportResult {
  void text;
  void ctx;
  const result = emptyImport('vorta', file);
  result.report.push({ kind: 'dropped', profile: null, message: 'Vorta exports are not read yet.', at: { file, line: null } });
  return result;
}
