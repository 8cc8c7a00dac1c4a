#!/usr/bin/env node
/**
 * Benchmark: browsing a 200,000-file archive (issue 16, "Browse").
 *
 *   1. The first folder of an archive never read before (no index) against a plain
 *      `borg list --json-lines` of that archive (its output drained and dropped), paired per round,
 *      the order alternating: time to the first entries and to the complete folder, and CPU (user +
 *      system of node and its reaped borg) beside wall. Goal: complete ≤ 1.1× plain borg's wall, first
 *      entries before borg is done.
 *   2. Later answers from the index in the same process: another folder (1,000 entries), the top
 *      again, find (a piece of a name; a wildcard with over 1,000 matches), versions (one archive);
 *      and a new process with the index on disk. Goal: each < 100 ms.
 *   3. Once: versions of a path across 24 archives of the same tree, first with no index at all
 *      (every archive read once), then again.
 *   Also: the index's size on disk and the probe's peak RSS.
 *
 * Usage: npm run build && node bench/browse.mjs [--files N] [--rounds N] [--archives N] [--work DIR] [--keep]
 * The tree and repositories are made under --work (default $TMPDIR/dandelion-bench-browse) and reused
 * by a later run with the same --files and --archives. Prints a table, then one JSON line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { machineInfo, positiveInt, progress, say, table } from './lib-report.mjs';
import { median, mustRun, runCounted } from './lib-proc.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PROBE = path.join(HERE, 'lib-browse-probe.mjs');

const { values: opt } = parseArgs({
  options: {
    files: { type: 'string' },
    rounds: { type: 'string' },
    archives: { type: 'string' },
    work: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const FILES = positiveInt('files', opt.files, 200_000);
const ROUNDS = positiveInt('rounds', opt.rounds, 5);
const ARCHIVES = positiveInt('archives', opt.archives, 24);
const WORK = path.resolve(opt.work ?? path.join(os.tmpdir(), 'dandelion-bench-browse'));
const PER_DIR = 1000;
const FOLDER = '';
/** The folder file n is in, as the archive stores it. */
const folderOf = (n) => `src/home/me/dir-${Math.floor(Math.floor(n / PER_DIR) / 10)}/sub-${Math.floor(n / PER_DIR) % 10}`;
const LATER = folderOf(Math.floor(FILES * 0.365));
const VERSION_FILE = Math.min(7300, FILES - 1);
const VERSION_PATH = `${folderOf(VERSION_FILE)}/file ${VERSION_FILE}.txt`;

const env = {
  ...process.env,
  BORG_BASE_DIR: path.join(WORK, 'borg-base'),
  BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes',
  BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
};
delete env.BORG_PASSPHRASE;

/** `files` empty files, 1,000 a folder, under src/home/me/dir-A/sub-B: the names a home folder might have. */
function makeTree(root, files) {
  let made = 0;
  for (let d = 0; made < files; d++) {
    const dir = path.join(root, 'home', 'me', `dir-${Math.floor(d / 10)}`, `sub-${d % 10}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let k = 0; k < PER_DIR && made < files; k++, made++) fs.writeFileSync(path.join(dir, `file ${made}.txt`), '');
  }
}

async function setup() {
  const marker = path.join(WORK, `ready-${FILES}-${ARCHIVES}`);
  const repoOne = path.join(WORK, 'repo-one');
  const repoMany = path.join(WORK, 'repo-many');
  if (!fs.existsSync(marker)) {
    fs.rmSync(WORK, { recursive: true, force: true });
    fs.mkdirSync(WORK, { recursive: true });
    progress(`making ${FILES.toLocaleString('en-US')} files`);
    makeTree(path.join(WORK, 'src'), FILES);
    for (const repo of [repoOne, repoMany]) await mustRun('borg', ['init', '--encryption=none', repo], { env });
    progress('borg create (one archive)');
    await mustRun('borg', ['create', `${repoOne}::big`, 'src'], { env, cwd: WORK });
    for (let i = 1; i <= ARCHIVES; i++) {
      progress(`borg create ${i} of ${ARCHIVES} (versions)`);
      // Every third archive sees one file changed: versions has changes to find.
      if (i % 3 === 0) fs.writeFileSync(path.join(WORK, VERSION_PATH), `v${i}`);
      await mustRun('borg', ['create', `${repoMany}::many-${String(i).padStart(2, '0')}`, 'src'], { env, cwd: WORK });
    }
    fs.writeFileSync(marker, '');
  }
  for (const [name, repo, archiveName] of [
    ['config-one', repoOne, 'big{now}'],
    ['config-many', repoMany, 'many-{now}'],
  ]) {
    const dir = path.join(WORK, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        profiles: [{ id: 'p', repository: repo, encryption: 'none', sources: [path.join(WORK, 'src')], archiveName, prune: null }],
      }),
    );
  }
  return { repoOne, repoMany };
}

async function probe(config, mode) {
  const r = await runCounted(
    process.execPath,
    [PROBE, path.join(WORK, config), mode, 'p', mode === 'versions' ? '' : 'big', FOLDER, LATER, VERSION_PATH],
    {
      env,
      captureStdout: true,
    },
  );
  return { ...JSON.parse(r.stdout.trim().split('\n').pop()), wallMs: r.ms, treeCpuMs: r.cpu ? r.cpu.userMs + r.cpu.systemMs : null };
}

const { repoOne } = await setup();
const rounds = [];
for (let i = 0; i < ROUNDS; i++) {
  progress(`round ${i + 1} of ${ROUNDS}`);
  const sides = {};
  const order = i % 2 ? ['dandelion', 'plain'] : ['plain', 'dandelion'];
  for (const side of order) {
    if (side === 'plain') {
      const r = await runCounted('borg', ['list', '--json-lines', `${repoOne}::big`], { env });
      sides.plain = { wallMs: r.ms, cpuMs: r.cpu.userMs + r.cpu.systemMs };
    } else sides.dandelion = await probe('config-one', 'first');
  }
  sides.later = await probe('config-one', 'later');
  rounds.push({ ...sides, load: os.loadavg()[0] });
}
progress(`versions across ${ARCHIVES} archives`);
const versions = await probe('config-many', 'versions');

const m = (f) => median(rounds.map(f));
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const result = {
  machine: machineInfo(),
  files: FILES,
  rounds: ROUNDS,
  plainWallMs: m((r) => r.plain.wallMs),
  plainCpuMs: m((r) => r.plain.cpuMs),
  firstEntriesMs: m((r) => r.dandelion.firstEntriesMs),
  completeMs: m((r) => r.dandelion.completeMs),
  completeRatio: m((r) => r.dandelion.completeMs / r.plain.wallMs),
  firstEntriesRatio: m((r) => r.dandelion.firstEntriesMs / r.plain.wallMs),
  cpuMs: m((r) => r.dandelion.cpuMs),
  cpuRatio: m((r) => r.dandelion.cpuMs / r.plain.cpuMs),
  nodeCpuMs: m((r) => r.dandelion.nodeCpuMs),
  borgCpuMs: m((r) => r.dandelion.borgCpuMs),
  indexWrittenMs: m((r) => r.dandelion.indexWrittenMs),
  indexCpuMs: m((r) => r.dandelion.indexCpuMs),
  indexBytes: m((r) => r.dandelion.indexBytes),
  peakRssMb: Math.max(...rounds.map((r) => r.dandelion.peakRssMb)),
  rssBeforeMb: m((r) => r.dandelion.rssBeforeMb),
  laterFolderMs: m((r) => r.dandelion.laterFolderMs),
  topAgainMs: m((r) => r.dandelion.topAgainMs),
  findPieceMs: m((r) => r.dandelion.findPieceMs),
  findGlobMs: m((r) => r.dandelion.findGlobMs),
  versionsOneMs: m((r) => r.dandelion.versionsMs),
  newProcessFolderMs: m((r) => r.later.newProcessFolderMs),
  newProcessNextFolderMs: m((r) => r.later.newProcessNextFolderMs),
  newProcessFirstFindMs: m((r) => r.later.newProcessFirstFindMs),
  versions,
  loads: rounds.map((r) => r.load),
  raw: rounds,
};

say(`Browse, ${FILES.toLocaleString('en-US')} files, ${ROUNDS} rounds (medians; ratios paired per round)`);
say(
  table(
    ['figure', 'value'],
    [
      ['plain borg list --json-lines: wall / CPU', `${fmt(result.plainWallMs)} / ${fmt(result.plainCpuMs)}`],
      ['first folder: first entries (ratio to plain wall)', `${fmt(result.firstEntriesMs)} (${result.firstEntriesRatio.toFixed(3)}×)`],
      ['first folder: complete (ratio to plain wall)', `${fmt(result.completeMs)} (${result.completeRatio.toFixed(3)}×)`],
      ['first folder: CPU node + borg (ratio to plain CPU)', `${fmt(result.cpuMs)} (${result.cpuRatio.toFixed(3)}×)`],
      ['  of which node / borg', `${fmt(result.nodeCpuMs)} / ${fmt(result.borgCpuMs)}`],
      ['index sorted and written (after the answer): at / CPU', `${fmt(result.indexWrittenMs)} / ${fmt(result.indexCpuMs)}`],
      ['index size on disk', `${(result.indexBytes / 1e6).toFixed(1)} MB`],
      ['peak RSS of the process (RSS before the first folder)', `${result.peakRssMb.toFixed(0)} MB (${result.rssBeforeMb.toFixed(0)} MB)`],
      ['later folder (1,000 entries)', fmt(result.laterFolderMs)],
      ['the top again', fmt(result.topAgainMs)],
      ['find "file 1999"', fmt(result.findPieceMs)],
      ['find "*99.txt" (1,000 shown, more)', fmt(result.findGlobMs)],
      ['versions (1 archive)', fmt(result.versionsOneMs)],
      [
        'new process: first folder (index checked) / next / first find',
        `${fmt(result.newProcessFolderMs)} / ${fmt(result.newProcessNextFolderMs)} / ${fmt(result.newProcessFirstFindMs)}`,
      ],
      [`versions across ${versions.archives} archives: first (no index) / again`, `${fmt(versions.coldMs)} / ${fmt(versions.warmMs)}`],
      ['load average per round', result.loads.map((l) => l.toFixed(1)).join(', ')],
    ],
  ),
);
say(JSON.stringify(result));
if (!opt.keep && opt.work === undefined) {
  /* the default work folder is kept for the next run: it takes minutes to make */
}
