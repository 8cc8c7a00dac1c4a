/**
 * A borgmatic configuration (YAML, the sectioned layout of 1.7 or the flat one of 1.8+) read into
 * Dandelion profiles: one per repository, with everything that could not be carried over in the
 * report, line by line, with why. Pure: the file is read, never run; other files it names (an
 * `exclude_from` list, a `patterns_from` file) come through `ctx.readFile`. The sections of the file
 * are read by borgmatic-files.ts (what is backed up), borgmatic-rules.ts (archive name, retention,
 * checks), borgmatic-access.ts (passphrase, ssh, borg) and borgmatic-hooks.ts (monitoring, hooks).
 */
import { ENCRYPTION_MODES, type EncryptionMode } from '../profiles/schema.js';
import { parseLocation } from '../borg/location.js';
import type { ImportContext } from './context.js';
import { emptyImport, readSafely, type ImportedProfile, type ImportResult } from './model.js';
import { isPlainObject, readBorgmaticYaml } from './borgmatic-yaml.js';
import { list, reading, str } from './borgmatic-reading.js';
import { readFileSet } from './borgmatic-files.js';
import { readRules } from './borgmatic-rules.js';
import { readAccess } from './borgmatic-access.js';
import { readHooks, reportLeftovers } from './borgmatic-hooks.js';
import { portOf, Report, repositoryId, slugId, uniqueId, urlHost, withSshPort } from './profile-bits.js';

export { BORGMATIC_DEFAULT_ARCHIVE_NAME } from './borgmatic-rules.js';
export { expandTilde } from './borgmatic-reading.js';

/** borgmatic keeps no schedule in its configuration; this is the daily run of its sample cron file. */
export const BORGMATIC_IMPORT_SCHEDULE = '0 3 * * *';

interface RepositoryEntry {
  path: string;
  label: string | null;
  encryption: string | null;
  line: number | null;
}

export function readBorgmatic(text: string, file: string, ctx: ImportContext): ImportResult {
  return readSafely('borgmatic', file, () => readConfig(text, file, ctx));
}

function readConfig(text: string, file: string, ctx: ImportContext): ImportResult {
  const result = emptyImport('borgmatic', file);
  const report = new Report(file);
  result.report = report.items;
  const parsed = readBorgmaticYaml(text);
  for (const e of parsed.errors)
    report.dropped(null, `This file could not be read as borgmatic YAML (${e.message}); nothing was imported from it.`, e.line);
  if (parsed.errors.length) return result;

  const rd = reading(parsed, report, ctx, null);
  const { opt, lineOf, isUnresolved } = rd;

  for (const t of parsed.tags) {
    if (t.tag === '!include')
      report.todo(
        null,
        `borgmatic includes ${t.value || 'another file'} here; its options were not read: import that file too if it holds settings of this backup.`,
        t.line,
      );
    else report.note(null, `borgmatic's ${t.tag} tag is not needed by Dandelion and was ignored.`, t.line);
  }
  for (const e of parsed.env) {
    if (e.fallback !== null)
      report.note(
        null,
        `\${${e.variable}} comes from the environment of borgmatic's job, which an import cannot see; its default was used.`,
        e.line,
      );
  }
  for (const d of parsed.duplicates) {
    if (JSON.stringify(d.first.value) !== JSON.stringify(d.second.value))
      report.note(
        null,
        `"${d.name}" is set in two sections with different values; the one at line ${d.first.line ?? '?'} was used.`,
        d.second.line,
      );
  }

  // --- Repositories: one profile each. ---
  const repos: RepositoryEntry[] = [];
  const repoOpt = opt('repositories');
  list(repoOpt?.value).forEach((item, i) => {
    const p = `${repoOpt!.path}[${i}]`;
    const line = lineOf(p);
    const path = isPlainObject(item) ? str(item.path) : str(item);
    if (path === null) {
      if (isUnresolved(p))
        report.dropped(
          null,
          'This repository is named by an environment variable without a default, which an import cannot read; no profile was made for it.',
          line,
        );
      else report.dropped(null, 'A repository without a path was left out.', line);
      return;
    }
    const label = isPlainObject(item) ? str(item.label) : null;
    const encryption = isPlainObject(item) ? str(item.encryption) : null;
    repos.push({ path, label, encryption, line });
  });
  if (!repos.length) {
    if (!repoOpt) report.dropped(null, 'This borgmatic configuration names no repository; nothing was imported from it.', null);
    return result;
  }

  const taken = new Set<string>();
  const ids = repos.map((r) => uniqueId(slugId(r.label ?? '') || repositoryId(r.path), taken));
  const shared: string | null = ids.length === 1 ? ids[0]! : null;
  rd.shared = shared;
  const encryptionOpt = opt('encryption');

  const files = readFileSet(rd);
  if (files === null) return result;
  const rules = readRules(rd);
  const access = readAccess(rd);
  const monitor = readHooks(rd);
  reportLeftovers(rd);
  const { passphrase, passcommand, sshKey, sshPort, borgPath } = access;

  // --- One profile per repository. ---
  repos.forEach((repo, i) => {
    const id = ids[i]!;
    let repository = repo.path;
    if (/^file:\/\//i.test(repository)) repository = repository.slice('file://'.length);
    const loc = parseLocation(repository);
    if (loc.kind === 'local' && !(repository.startsWith('/') || repository === '~' || repository.startsWith('~/'))) {
      if (/^[a-z0-9+]+:\/\//i.test(repository) || /^(rclone|s3|b2):/i.test(repository))
        report.dropped(
          id,
          `Repository ${repository} is of a kind Dandelion cannot reach (ssh and local repositories only); no profile was made for it.`,
          repo.line,
        );
      else
        report.dropped(id, `Repository "${repository}" is a relative path; give it as a full path. No profile was made for it.`, repo.line);
      return;
    }
    if (loc.kind === 'ssh' && sshPort !== null) {
      const own = portOf(repository);
      if (own !== null && own !== sshPort)
        report.note(id, `The repository names port ${own} and ssh_command port ${sshPort}; the repository's port is kept.`, access.sshLine);
      else if (own === null) {
        repository = withSshPort(repository, sshPort);
        report.carried(id, `ssh port ${sshPort} from ssh_command is now part of the repository address: ${repository}.`, access.sshLine);
      }
    }
    report.carried(id, `Repository ${repository}${repo.label ? ` (label "${repo.label}")` : ''} → profile "${id}".`, repo.line);
    if (repos.length > 1)
      report.note(
        id,
        `Profile "${id}" is one of ${repos.length} made from this file, one per repository, with the same folders and rules.`,
        repo.line,
      );

    let profileDays = rules.everyDays;
    const checkOnly = rules.checkOnly;
    if (checkOnly && !checkOnly.names.includes(repo.path) && !(repo.label && checkOnly.names.includes(repo.label))) {
      profileDays = 0;
      report.note(
        id,
        'borgmatic did not check this repository (check_repositories); Dandelion will not check it on its own either.',
        checkOnly.line,
      );
    }

    const profile: ImportedProfile = {
      id,
      name: repo.label ?? (loc.kind === 'ssh' ? loc.host : repository),
      repository,
      sources: [...files.sources],
      excludes: [...files.excludes],
      archiveName: rules.archiveName,
      compression: files.compression,
      oneFileSystem: files.oneFileSystem,
      excludeCaches: files.excludeCaches,
      prune: rules.prune,
      schedule: BORGMATIC_IMPORT_SCHEDULE,
      check: { everyDays: profileDays, verifyData: rules.verifyData },
    };
    if (sshKey && loc.kind === 'ssh') profile.sshKey = sshKey;
    if (passcommand) profile.passcommand = passcommand;
    if (borgPath) profile.borgPath = borgPath;
    const enc = repo.encryption ?? str(encryptionOpt?.value);
    if (enc && (ENCRYPTION_MODES as readonly string[]).includes(enc)) profile.encryption = enc as EncryptionMode;
    if (monitor.pingUrl !== null || monitor.ntfyUrl !== null) profile.monitor = { pingUrl: monitor.pingUrl, ntfyUrl: monitor.ntfyUrl };
    result.profiles.push(profile);
    if (passphrase !== null) result.secrets.push({ profile: id, passphrase, at: report.at(access.passphraseLine) });
  });

  if (result.profiles.length > 1 && monitor.pingUrl !== null)
    report.todo(
      null,
      `borgmatic pinged ${urlHost(monitor.pingUrl)} once for all its repositories; now ${result.profiles.length} profiles ping the same check, so one profile's success can hide another's failure. Give each profile its own check in Preferences (Monitoring).`,
      monitor.pingLine,
    );
  if (passphrase !== null && result.profiles.length)
    report.todo(
      shared,
      `The passphrase is written in plain text in ${file} at line ${access.passphraseLine ?? '?'}: it goes to ${ctx.keychain}, not to Dandelion's settings. Remove it from ${file} once the import is applied.`,
      access.passphraseLine,
    );

  if (result.profiles.length) {
    report.note(
      shared,
      `borgmatic's schedule is not in this file (it lives in a systemd timer, a cron job or launchd): ${result.profiles.length === 1 ? 'the profile backs' : 'the profiles back'} up daily at 03:00. Change it in Preferences if yours ran at another time.`,
    );
    const howToStop =
      'systemctl --user disable --now borgmatic.timer (or sudo systemctl disable --now borgmatic.timer for the system timer); for cron, remove the borgmatic line with crontab -e; for launchd, launchctl bootout gui/' +
      `${ctx.uid} followed by the job's label`;
    result.oldJobs.push({ kind: 'borgmatic', name: `borgmatic (${file})`, at: report.at(null), howToStop });
    report.todo(
      shared,
      `borgmatic's own timer or cron job would back up a second time. Stop it once Dandelion's backups work: ${howToStop}.`,
    );
  }
  return result;
}
