#!/usr/bin/env node
// A first backup in one command: writes a trial profile (only when there is no config yet),
// creates its repository and backs it up once, shows the status, and then says what it made and
// why it is only a trial: the repository is on this computer, usually on the same disk as what it
// backs up, and it is not encrypted. Uses the built CLI.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');
const configDir =
  process.env.DANDELION_CONFIG_DIR ||
  (process.platform === 'darwin'
    ? path.join(os.homedir(), 'Library', 'Application Support', 'Dandelion')
    : path.join(process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'Dandelion'));
const configFile = path.join(configDir, 'config.json');

/** The filesystem a path is on, or of its nearest existing folder. */
function deviceOf(p) {
  for (let d = p; ; d = path.dirname(d)) {
    try {
      return fs.statSync(d).dev;
    } catch {
      if (path.dirname(d) === d) return null;
    }
  }
}

/** What the quick start made, why it is a trial, and how to make a real backup. */
function trialWords({ source, repository, configFile }) {
  const sameDisk = deviceOf(source) !== null && deviceOf(source) === deviceOf(repository);
  const disk = process.platform === 'darwin' ? '/Volumes/Backup/Dandelion' : `/media/${os.userInfo().username}/Backup/Dandelion`;
  return [
    '',
    'What this made: a trial backup, not one to rely on yet.',
    `  Profile     "Quick start" (quickstart), in ${configFile}`,
    `  Backs up    ${source}${path.basename(source) === 'Documents' ? '' : ' (there is no ~/Documents)'}`,
    `  To          ${repository}`,
    '  When        every day at 12:00, while the menu-bar app or `dandelion daemon` runs',
    '',
    'Why it is only a trial:',
    sameDisk
      ? `  - The repository is on the same disk as ${source}: if that disk fails, or the computer is lost or stolen, the backup goes with it.`
      : `  - The repository is on this computer: if the computer is lost or stolen, or its disks fail, the backup goes with it.`,
    '  - It is not encrypted (encryption "none"): anyone who can read that folder can read every backed-up file.',
    '',
    'For a real backup, put the repository on another disk or a server, with encryption:',
    '  - In the menu-bar app (npm start): Preferences…, then Add a backup (+). It asks where the backups go,',
    `    sets a passphrase (kept in ${process.platform === 'darwin' ? 'the Keychain' : 'the keyring'}) and creates the repository.`,
    '  - Or headless: add a profile to config.json (see README) with, for example,',
    `      "id": "docs", "repository": "${disk}" (a disk) or "ssh://user@host/./backup" (a server),`,
    '      "encryption": "repokey-blake2", "sources": [...]',
    '    then:',
    "      printf '%s' 'a long passphrase' | dandelion passphrase set docs",
    '      dandelion init docs',
    '      dandelion run docs',
    `  Then delete the "quickstart" profile from config.json and the folder ${path.dirname(repository)}.`,
    '  (`npm link` puts dandelion on your PATH.)',
  ].join('\n');
}

const dandelion = (...args) => {
  console.log(`$ dandelion ${args.join(' ')}`);
  try {
    execFileSync(process.execPath, [cli, '--config-dir', configDir, ...args], { stdio: 'inherit' });
    return 0;
  } catch (err) {
    return err.status ?? 2;
  }
};

if (!fs.existsSync(configFile)) {
  const documents = path.join(os.homedir(), 'Documents');
  const source = fs.existsSync(documents) ? documents : path.join(root, 'docs');
  const repository = path.join(os.homedir(), '.local', 'share', 'dandelion-quickstart', 'repo');
  fs.mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const config = {
    profiles: [
      {
        id: 'quickstart',
        name: 'Quick start',
        repository,
        // A trial without a passphrase, so this works on any machine; the words at the end say so.
        encryption: 'none',
        sources: [source],
        // Written out, as for every profile created now (src/profiles/schema.ts archiveNameFor): a
        // missing archiveName means the old "{hostname}-daily-{now}", true only for daily backups.
        archiveName: '{hostname}-quickstart_{now}',
        prune: { keepDaily: 7, keepWeekly: 5, keepMonthly: 6 },
        schedule: '0 12 * * *',
      },
    ],
  };
  // Only where there is still no file (the revision it was drawn from): one created meanwhile is kept.
  try {
    fs.writeFileSync(configFile, JSON.stringify(config, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
    console.log(`${configFile} was created meanwhile; it was left as it is.`);
    process.exit(1);
  }
  console.log(`Wrote a trial profile "quickstart" to ${configFile}: ${source} to ${repository}, on this computer, not encrypted.`);
  if (!fs.existsSync(path.join(repository, 'config')) && dandelion('init', 'quickstart') !== 0) process.exit(2);
  const code = dandelion('run', 'quickstart');
  dandelion('status');
  console.log(trialWords({ source, repository, configFile }));
  process.exit(code);
} else {
  console.log(`Using the existing ${configFile}`);
  dandelion('doctor');
  dandelion('status');
  // The trial made by an earlier quick start is still a trial: say so again.
  let trial = null;
  try {
    trial = JSON.parse(fs.readFileSync(configFile, 'utf8')).profiles?.find((p) => p?.id === 'quickstart' && p.encryption === 'none');
  } catch {
    // An unreadable config was reported by doctor above.
  }
  if (trial && typeof trial.repository === 'string' && typeof trial.sources?.[0] === 'string') {
    console.log(trialWords({ source: trial.sources[0], repository: trial.repository, configFile }));
  }
}
