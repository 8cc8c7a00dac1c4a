/**
 * borgmatic's hooks: monitoring (healthchecks, ntfy, an Uptime Kuma push URL) becomes the profile's
 * monitor; commands, database dumps and snapshots cannot come along and are reported one by one;
 * and every other option the file sets and Dandelion lacks is reported with why.
 */
import { isHttpUrl, maskCommand, urlHost } from './profile-bits.js';
import { list, str, type Reading } from './borgmatic-reading.js';
import { isPlainObject } from './borgmatic-yaml.js';

/** Options that only shape borgmatic's own output: nothing to carry, nothing lost. */
const COSMETIC = new Set([
  'verbosity',
  'syslog_verbosity',
  'log_file',
  'log_file_verbosity',
  'log_file_format',
  'log_json',
  'monitoring_verbosity',
  'color',
  'progress',
  'statistics',
  'list_details',
  'output',
]);

/** Why an option borgmatic has but Dandelion lacks is left out (others get a general sentence). */
const WHY: Record<string, string> = {
  remote_path:
    'Dandelion runs the server\'s borg under the name "borg"; if the server only has it under another name, backups there will fail',
  exclude_nodump: 'Dandelion has no "exclude nodump": files marked nodump are backed up now',
  keep_exclude_tags: 'Dandelion does not keep the tag files of excluded folders',
  keep_secondly: 'Dandelion has no secondly retention rule',
  keep_13weekly: 'Dandelion has no 13-weekly retention rule',
  keep_3monthly: 'Dandelion has no 3-monthly retention rule',
  check_last: 'Dandelion checks every archive, not only the last ones',
  upload_rate_limit: 'Dandelion has no upload rate limit: backups use the full bandwidth',
  remote_rate_limit: 'Dandelion has no upload rate limit: backups use the full bandwidth',
  lock_wait: 'Dandelion waits for a locked repository in its own way',
  checkpoint_interval: "Dandelion uses borg's default checkpoint interval",
  read_special: 'Dandelion does not read special files (devices) as data',
  borg_keys_directory:
    'Dandelion uses borg\'s default keys folder; for a "keyfile" repository, copy the key there (borg key import) or the repository will not open',
  source_directories_must_exist: 'Dandelion reports a missing folder in its run log instead',
  files_cache: "Dandelion uses borg's default files cache",
  chunker_params: "Dandelion uses borg's default chunker parameters (changing them would re-chunk everything)",
  umask: "Dandelion uses borg's default umask (files in the repository readable by you only)",
};

const HOOK_COMMAND = /^(before|after)_[a-z_]+$|^on_error$/;
const DATABASES = ['postgresql_databases', 'mysql_databases', 'mariadb_databases', 'mongodb_databases', 'sqlite_databases'];
const SNAPSHOTS = ['zfs', 'btrfs', 'lvm'];
const OTHER_MONITORS = [
  'cronitor',
  'cronhub',
  'pagerduty',
  'pushover',
  'apprise',
  'zabbix',
  'loki',
  'sentry',
  'uptime_kuma',
  'ntfy',
  'healthchecks',
];

export interface Monitor {
  pingUrl: string | null;
  ntfyUrl: string | null;
  /** Line of the healthchecks hook, for what the report says about it later. */
  pingLine: number | null;
}

export function readHooks(rd: Reading): Monitor {
  const { opt, opts, lineOf, isUnresolved, report, shared, used } = rd;
  // --- Monitoring. ---
  const monitor: { pingUrl: string | null; ntfyUrl: string | null } = { pingUrl: null, ntfyUrl: null };
  const hc = opt('healthchecks');
  if (hc) {
    let url = isPlainObject(hc.value) ? str(hc.value.ping_url) : str(hc.value);
    // borgmatic also takes a check's UUID alone, meaning healthchecks.io.
    if (url && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(url)) url = `https://hc-ping.com/${url}`;
    if (url && isHttpUrl(url)) {
      monitor.pingUrl = url;
      report.carried(shared, `Healthchecks pings go to ${urlHost(url)} (start, success, failure).`, hc.line);
    } else if (isUnresolved(hc.path))
      report.todo(
        shared,
        'The healthchecks ping URL comes from an environment variable an import cannot read; set it in Preferences (Monitoring).',
        hc.line,
      );
    else report.dropped(shared, 'The healthchecks ping URL is not a web address; left out.', hc.line);
    if (isPlainObject(hc.value)) {
      for (const k of Object.keys(hc.value).filter((k) => !['ping_url', 'send_logs', 'ping_body_limit', 'verify_tls'].includes(k)))
        report.dropped(
          shared,
          `healthchecks "${k}" was left out: Dandelion pings start, success and failure, with the end of the log on failure.`,
          lineOf(`${hc.path}.${k}`),
        );
    }
  }
  const ntfy = opt('ntfy');
  if (ntfy) {
    const o = isPlainObject(ntfy.value) ? ntfy.value : {};
    const topic = str(o.topic);
    const server = (str(o.server) ?? 'https://ntfy.sh').replace(/\/+$/, '');
    if (topic && isHttpUrl(`${server}/${topic}`)) {
      monitor.ntfyUrl = `${server}/${encodeURIComponent(topic)}`;
      report.carried(shared, `ntfy messages on failure go to ${urlHost(server)}.`, ntfy.line);
    } else if (isUnresolved(ntfy.path))
      report.todo(
        shared,
        'The ntfy topic or server comes from an environment variable an import cannot read; set it in Preferences (Monitoring).',
        ntfy.line,
      );
    else report.dropped(shared, 'The ntfy hook names no topic; left out.', ntfy.line);
    for (const k of ['access_token', 'username', 'password'])
      if (k in o)
        report.todo(
          shared,
          `ntfy "${k}" was left out: Dandelion sends to the topic URL without logging in; allow it on the server, or the messages will be refused.`,
          lineOf(`${ntfy.path}.${k}`),
        );
  }
  for (const name of OTHER_MONITORS.filter((n) => n !== 'healthchecks' && n !== 'ntfy')) {
    const o = opt(name);
    if (!o) continue;
    const push = name === 'uptime_kuma' && isPlainObject(o.value) ? str(o.value.push_url) : null;
    if (push && isHttpUrl(push) && monitor.pingUrl === null) {
      monitor.pingUrl = push;
      report.carried(shared, `Uptime Kuma pushes go to ${urlHost(push)}.`, o.line);
    } else
      report.dropped(shared, `The ${name} hook was left out: Dandelion sends healthchecks-style pings and ntfy messages only.`, o.line);
  }

  // --- Hooks: commands and database dumps are not carried. ---
  for (const [name, o] of opts) {
    if (HOOK_COMMAND.test(name)) {
      used.add(name);
      list(o.value).forEach((cmd, i) => {
        const c = str(cmd);
        if (c)
          report.dropped(
            shared,
            `Hook ${name}: "${maskCommand(c)}" was left out: Dandelion does not run commands around a backup.`,
            lineOf(`${o.path}[${i}]`) ?? o.line,
          );
      });
    } else if (name === 'commands') {
      used.add(name);
      list(o.value).forEach((entry, i) => {
        if (!isPlainObject(entry)) return;
        const when = str(entry.before)
          ? `before ${str(entry.before)!}`
          : str(entry.after)
            ? `after ${str(entry.after)!}`
            : 'around a backup';
        list(entry.run).forEach((cmd, j) => {
          const c = str(cmd);
          if (c)
            report.dropped(
              shared,
              `Command ${when}: "${maskCommand(c)}" was left out: Dandelion does not run commands around a backup.`,
              lineOf(`${o.path}[${i}].run[${j}]`) ?? lineOf(`${o.path}[${i}]`),
            );
        });
      });
    } else if (DATABASES.includes(name)) {
      used.add(name);
      list(o.value).forEach((db, i) => {
        const dbName = isPlainObject(db) ? (str(db.name) ?? '?') : '?';
        report.todo(
          shared,
          `borgmatic dumped the ${name.replace('_databases', '')} database "${dbName}" into each backup; Dandelion does not, so its backups will not hold it. Dump it into a backed-up folder yourself.`,
          lineOf(`${o.path}[${i}]`) ?? o.line,
        );
      });
    } else if (SNAPSHOTS.includes(name)) {
      used.add(name);
      report.dropped(shared, `The ${name} snapshot hook was left out: Dandelion backs up the live files, not a snapshot.`, o.line);
    }
  }

  return { pingUrl: monitor.pingUrl, ntfyUrl: monitor.ntfyUrl, pingLine: hc?.line ?? null };
}

/** Every option no section reader looked at: left out, each with why (output-only options quietly). */
export function reportLeftovers(rd: Reading): void {
  const { opts, used, report, shared } = rd;
  for (const [name, o] of opts) {
    if (used.has(name) || COSMETIC.has(name)) continue;
    const why = WHY[name] ?? 'Dandelion has no such setting';
    report.dropped(shared, `${name} was left out: ${why}.`, o.line);
  }
}
