/**
 * cron-parser (and the luxon it brings) loaded on first use, not at import: a `status` whose
 * schedule facts all come from the cache (facts.ts) never loads them.
 */
import { createRequire } from 'node:module';
import type CronParser from 'cron-parser';

const require = createRequire(import.meta.url);
let parser: typeof CronParser | undefined;

export function cronParser(): typeof CronParser {
  if (!parser) {
    parser = require('cron-parser') as typeof CronParser;
    rememberZoneOffsets();
  }
  return parser;
}

/** The installed version: a cached fact is only as good as the parser that computed it. */
export function cronParserVersion(): string {
  return (require('cron-parser/package.json') as { version: string }).version;
}

/**
 * Seconds remembered per zone before the zone's memory starts again: three schedules stepped across a
 * DST change ask ~10,000; at ~50 bytes an entry a long-running app keeps at most ~1 MB per zone.
 */
export const OFFSETS_PER_ZONE = 20_000;

interface LuxonZone {
  readonly name: string;
  offset(ts: number): number;
}

/**
 * luxon finds a time zone's UTC offset at an instant by formatting the instant with Intl
 * (`formatToParts`, tens of µs), and cron-parser with a time zone asks for the same instants over
 * and over while it steps: 436,651 asks for 10,153 distinct seconds in three schedules around one
 * DST change, 85 % of the CPU. luxon's answer is a function of the zone and the second alone (it
 * drops the milliseconds), and a process's zone data never changes: so each is computed once, by
 * luxon itself, and remembered. Only the luxon that cron-parser loads is touched.
 */
function rememberZoneOffsets(): void {
  const luxon = createRequire(require.resolve('cron-parser'))('luxon') as { IANAZone?: { prototype: LuxonZone } };
  const proto = luxon.IANAZone?.prototype;
  if (!proto || typeof proto.offset !== 'function') return;
  const original = proto.offset;
  const zones = new Map<string, Map<number, number>>();
  proto.offset = function offset(this: LuxonZone, ts: number): number {
    const second = Math.floor(ts / 1000);
    let known = zones.get(this.name);
    if (!known) zones.set(this.name, (known = new Map()));
    let minutes = known.get(second);
    if (minutes === undefined) {
      minutes = original.call(this, ts);
      if (known.size >= OFFSETS_PER_ZONE) known.clear();
      known.set(second, minutes);
    }
    return minutes;
  };
}
