#!/usr/bin/env node
// A first backup in one command: writes a starter profile (only when there is no config yet),
// creates its repository and backs it up once, then shows the status. Uses the built CLI.
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
        // A starter without a passphrase, so this works on any machine; use repokey-blake2 and
        // `dandelion passphrase set` for real backups.
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
  console.log(`Wrote a starter profile backing up ${source} to ${repository}\n  (${configFile})`);
  if (!fs.existsSync(path.join(repository, 'config')) && dandelion('init', 'quickstart') !== 0) process.exit(2);
  const code = dandelion('run', 'quickstart');
  dandelion('status');
  console.log('\nNext: edit config.json (see README), then `dandelion daemon` or the menu-bar app keeps it running.');
  process.exit(code);
} else {
  console.log(`Using the existing ${configFile}`);
  dandelion('doctor');
  dandelion('status');
}
