/**
 * What an import of an existing borg setup found: profiles in config.json's own shape, plus a report
 * of everything carried over, left out, or still to do. Every reader (shell script, launchd plist,
 * crontab, borgmatic YAML, Vorta export) answers with an ImportResult; nothing here writes or runs.
 */
import type { ProfileInput } from '../profiles/schema.js';

/** Where in the imported file something came from (1-based line; null when the format has none). */
export interface SourceRef {
  file: string;
  line: number | null;
}

/**
 * One line of the report.
 * - `carried`: a setting that became part of a profile (e.g. "--keep-daily 7 → keep 7 daily").
 * - `dropped`: something that cannot be expressed and was left out, with why.
 * - `todo`: what the user still has to do (remove a passphrase from a script, unload an old job).
 * - `note`: anything else worth knowing (a borg path not on this machine, an archive prefix kept).
 */
export interface ReportItem {
  kind: 'carried' | 'dropped' | 'todo' | 'note';
  /** The profile it concerns (its id), or null for the whole import. */
  profile: string | null;
  /** One sentence in the user's words. Never holds a passphrase or a full monitoring URL. */
  message: string;
  at: SourceRef | null;
}

/** A secret found in the imported file: stored in the Keychain on --apply, never in config.json. */
export interface FoundSecret {
  profile: string;
  /** The passphrase itself. Never printed, logged or put in JSON output; only `at` is shown. */
  passphrase: string;
  at: SourceRef;
}

/** An old job that would run backups a second time once Dandelion runs them. */
export interface OldJob {
  kind: 'launchd' | 'cron' | 'borgmatic' | 'vorta';
  /** launchd label, the crontab line, … */
  name: string;
  at: SourceRef;
  /** How to stop it, e.g. `launchctl bootout gui/501 com.example.borg`. */
  howToStop: string;
}

/** Monitoring as the profile schema holds it (issue 17): a healthchecks-style ping URL and an ntfy topic URL. */
export interface MonitorInput {
  pingUrl?: string | null;
  ntfyUrl?: string | null;
}

/** A profile as imported: config.json's input shape, and monitoring when the old setup had it. */
export type ImportedProfile = ProfileInput & { monitor?: MonitorInput | null };

export interface ImportResult {
  /** What kind of file it was read as. */
  format: 'shell' | 'launchd' | 'cron' | 'borgmatic' | 'vorta';
  files: string[];
  profiles: ImportedProfile[];
  secrets: FoundSecret[];
  oldJobs: OldJob[];
  report: ReportItem[];
}

export const emptyImport = (format: ImportResult['format'], file: string): ImportResult => ({
  format,
  files: [file],
  profiles: [],
  secrets: [],
  oldJobs: [],
  report: [],
});

/**
 * A reader answers with a report, whatever the file holds: an exception becomes one `dropped` line
 * (a crash would hide every other file's report).
 */
export function readSafely(format: ImportResult['format'], file: string, read: () => ImportResult): ImportResult {
  try {
    return read();
  } catch (e) {
    const result = emptyImport(format, file);
    result.report.push({
      kind: 'dropped',
      profile: null,
      message: `This file could not be read (${e instanceof Error ? e.message : String(e)}); nothing was imported from it.`,
      at: null,
    });
    return result;
  }
}
