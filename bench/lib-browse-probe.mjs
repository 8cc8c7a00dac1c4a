/**
 * One process of bench/browse.mjs: opens the built engine on a config folder and times browse
 * answers from inside (so node's start and the archive listing are outside the figures), then
 * prints one JSON line. Modes:
 *   first    the archive's first folder with no index: time to the first entries and to the whole
 *            folder, CPU of node and of its reaped children (borg) over that call; then the later
 *            answers of the same process (folders, find, versions of one archive)
 *   later    a new process with the index on disk: its first folder and find
 *   versions the versions of a path across every archive of the profile, first with no index
 *            (each archive read once), then again
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Engine } from '../dist/engine.js';

const [configDir, mode, profile, archive, folder, laterFolder, versionPath] = process.argv.slice(2);
const CLK_TCK = 100;

function cpuMs() {
  const self = process.cpuUsage();
  const f = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  const children = ((Number(fields[13]) + Number(fields[14])) * 1000) / CLK_TCK;
  return { self: (self.user + self.system) / 1000, children };
}

function rssMb(field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : null;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function timed(fn, n = 15) {
  const ms = [];
  let last;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    last = await fn();
    ms.push(performance.now() - t0);
    if (!last.ok) throw new Error(JSON.stringify(last.diagnosis));
  }
  return { medianMs: median(ms), maxMs: Math.max(...ms), last: last.value };
}

const indexDir = path.join(configDir, 'cache', 'archive-index');
if (mode === 'first' || mode === 'versions') fs.rmSync(indexDir, { recursive: true, force: true });
const { engine, load } = await Engine.open({ configDir });
if (!load.ok) throw new Error(JSON.stringify(load.errors));
const listed = await engine.archives(profile);
if (!listed.ok) throw new Error(JSON.stringify(listed.diagnosis));
const settle = async () => (await engine.repo.browser()).settle();
const out = { mode, rssBeforeMb: rssMb('VmRSS') };

if (mode === 'first') {
  const c0 = cpuMs();
  const t0 = performance.now();
  let firstAt = null;
  let partialEntries = 0;
  const r = await engine.listFolder(profile, archive, folder, {
    onPartial: (entries) => {
      firstAt ??= performance.now() - t0;
      partialEntries += entries.length;
    },
  });
  const completeAt = performance.now() - t0;
  const c1 = cpuMs();
  if (!r.ok) throw new Error(JSON.stringify(r.diagnosis));
  await settle();
  const writtenAt = performance.now() - t0;
  const c2 = cpuMs();
  Object.assign(out, {
    firstEntriesMs: firstAt,
    partialEntries,
    completeMs: completeAt,
    entries: r.value.length,
    cpuMs: c1.self - c0.self + (c1.children - c0.children),
    nodeCpuMs: c1.self - c0.self,
    borgCpuMs: c1.children - c0.children,
    indexWrittenMs: writtenAt,
    indexCpuMs: c2.self - c1.self,
  });
  const file = fs
    .readdirSync(indexDir)
    .flatMap((repo) => fs.readdirSync(path.join(indexDir, repo)).map((f) => path.join(indexDir, repo, f)));
  out.indexBytes = file.reduce((sum, f) => sum + fs.statSync(f).size, 0);
  const later = await timed(() => engine.listFolder(profile, archive, laterFolder));
  const top = await timed(() => engine.listFolder(profile, archive, ''));
  const findPiece = await timed(() => engine.find(profile, archive, 'file 1999'));
  const findGlob = await timed(() => engine.find(profile, archive, '*99.txt'));
  const versions = await timed(() => engine.versions(profile, versionPath));
  Object.assign(out, {
    laterFolderMs: later.medianMs,
    laterFolderMaxMs: later.maxMs,
    laterFolderEntries: later.last.length,
    topAgainMs: top.medianMs,
    findPieceMs: findPiece.medianMs,
    findPieceMatches: findPiece.last.entries.length,
    findGlobMs: findGlob.medianMs,
    findGlobMatches: findGlob.last.entries.length,
    findGlobMore: findGlob.last.more,
    versionsMs: versions.medianMs,
    versionsCount: versions.last.length,
  });
} else if (mode === 'later') {
  const t0 = performance.now();
  const r = await engine.listFolder(profile, archive, laterFolder);
  out.newProcessFolderMs = performance.now() - t0;
  if (!r.ok) throw new Error(JSON.stringify(r.diagnosis));
  const again = await timed(() => engine.listFolder(profile, archive, folder));
  out.newProcessNextFolderMs = again.medianMs;
  const t1 = performance.now();
  const f = await engine.find(profile, archive, 'file 1999');
  out.newProcessFirstFindMs = performance.now() - t1;
  if (!f.ok) throw new Error(JSON.stringify(f.diagnosis));
} else if (mode === 'versions') {
  const t0 = performance.now();
  const r = await engine.versions(profile, versionPath);
  out.coldMs = performance.now() - t0;
  if (!r.ok) throw new Error(JSON.stringify(r.diagnosis));
  out.count = r.value.length;
  out.archives = listed.value.length;
  await settle();
  const warm = await timed(() => engine.versions(profile, versionPath), 10);
  out.warmMs = warm.medianMs;
  out.warmMaxMs = warm.maxMs;
}
out.peakRssMb = rssMb('VmHWM');
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
