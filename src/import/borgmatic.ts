/**
 * borgmatic YAML (1.7 sectioned and 1.8 flat layouts). Placeholder until the "import-borgmatic"
 * part lands: it reads nothing yet, and says so.
 */
import type { ImportContext } from './context.js';
import { emptyImport, type ImportResult } from './model.js';

export function readBorgmatic(text: string, file: string, ctx: ImportContext): ImportResult {
  void text;
  void ctx;
  const result = emptyImport('borgmatic', file);
  result.report.push({ kind: 'dropped', profile: null, message: 'borgmatic configurations are not read yet.', at: { file, line: null } });
  return result;
}
