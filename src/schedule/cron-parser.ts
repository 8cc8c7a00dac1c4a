/**
 * cron-parser (and the luxon it brings) loaded on first use, not at import: a `status` whose
 * schedule facts all come from the cache (facts.ts) never loads them.
 */
import { createRequire } from 'node:module';
import type CronParser from 'cron-parser';

const require = createRequire(import.meta.url);
let parser: typeof CronParser | undefined;

export function cronParser(): typeof CronParser {
  parser ??= require('cron-parser') as typeof CronParser;
  return parser;
}

/** The installed version: a cached fact is only as good as the parser that computed it. */
export function cronParserVersion(): string {
  return (require('cron-parser/package.json') as { version: string }).version;
}
