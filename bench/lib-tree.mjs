/**
 * Deterministic source trees for the benchmarks. The same seed gives byte-identical files on every
 * run and every machine, so figures from different runs back up the same data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';

/** mulberry32: small, fast, good enough to pick sizes and fill a byte pool. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their has would when if so no will can more out up about into them some could time these two may first then do any like my now over such our man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three'.split(
    ' ',
  );

/** A byte pool, half text (compressible) and half noise (not), as a home folder roughly is. */
function makePool(size, rand) {
  const pool = Buffer.alloc(size);
  let at = 0;
  while (at < size) {
    const block = Math.min(512, size - at);
    if (rand() < 0.5) {
      let text = '';
      while (text.length < block) text += WORDS[Math.floor(rand() * WORDS.length)] + (rand() < 0.1 ? '.\n' : ' ');
      pool.write(text.slice(0, block), at, 'latin1');
    } else {
      for (let i = 0; i < block; i++) pool[at + i] = Math.floor(rand() * 256);
    }
    at += block;
  }
  return pool;
}

/**
 * `files` small files (100 B – 8 KiB, log-uniform) in three directory levels, 20 files a folder.
 * Each file starts with its own index, so no two files deduplicate against each other.
 */
export function makeSmallFileTree(root, files, seed = 20240601) {
  const t0 = performance.now();
  const rand = prng(seed);
  const pool = makePool(4 * 1024 * 1024, rand);
  const perDir = 20;
  const dirs = Math.ceil(files / perDir);
  const branch = Math.max(2, Math.ceil(Math.cbrt(dirs)));
  let bytes = 0;
  let made = 0;
  for (let d = 0; d < dirs; d++) {
    const a = Math.floor(d / (branch * branch));
    const b = Math.floor(d / branch) % branch;
    const c = d % branch;
    const dir = path.join(root, `dir-${a}`, `sub-${b}`, `leaf-${c}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < perDir && made < files; f++, made++) {
      const size = Math.floor(100 * Math.exp(rand() * Math.log(8192 / 100)));
      const header = Buffer.from(`file ${made} of ${files}\n`, 'latin1');
      const bodyLen = Math.max(0, size - header.length);
      const offset = Math.floor(rand() * (pool.length - bodyLen));
      fs.writeFileSync(
        path.join(dir, `file-${made}.${['txt', 'dat', 'md', 'json'][made % 4]}`),
        Buffer.concat([header, pool.subarray(offset, offset + bodyLen)]),
      );
      bytes += header.length + bodyLen;
    }
  }
  return { files: made, dirs, bytes, seconds: (performance.now() - t0) / 1000 };
}

/**
 * `files` empty files in two halves, `<root>/part-0` and `<root>/part-1`, 1000 files a folder:
 * backing up part-0 alone gives half the file_status lines of backing up the root.
 * Gives up (complete: false) once the projected total exceeds `limitSeconds`.
 */
export function makeTinyFileTree(root, files, { limitSeconds = 180 } = {}) {
  const t0 = performance.now();
  const perDir = 1000;
  const halves = [Math.ceil(files / 2), Math.floor(files / 2)];
  let made = 0;
  for (let part = 0; part < 2; part++) {
    for (let i = 0; i < halves[part];) {
      const dir = path.join(root, `part-${part}`, `d-${Math.floor(i / perDir)}`);
      fs.mkdirSync(dir, { recursive: true });
      for (let k = 0; k < perDir && i < halves[part]; k++, i++, made++) fs.writeFileSync(path.join(dir, `f-${i}`), '');
      const elapsed = (performance.now() - t0) / 1000;
      if (made >= files * 0.05 && (elapsed / made) * files > limitSeconds) {
        return { files: made, halves, seconds: elapsed, complete: false, projectedSeconds: (elapsed / made) * files };
      }
    }
  }
  return { files: made, halves, seconds: (performance.now() - t0) / 1000, complete: true };
}

/** Every regular file under `root`, for rewriting them all between rounds. */
export function listFiles(root) {
  const out = [];
  for (const e of fs.readdirSync(root, { withFileTypes: true })) {
    const p = path.join(root, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Changes every file in place: its first bytes become `tag` (same size, new content and mtime), so
 * the next backup lists each one as modified and reads and stores it again.
 */
export function changeEveryFile(files, tag) {
  const bytes = Buffer.from(tag, 'latin1');
  for (const f of files) {
    const fd = fs.openSync(f, 'r+');
    try {
      fs.writeSync(fd, bytes, 0, bytes.length, 0);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * Reads every file whole, so the next reader finds the tree in the page cache. borg drops from the
 * cache what it has read (posix_fadvise DONTNEED in its chunker): without this, whichever side of a
 * round runs after another finds the tree cold and pays for reading it from disk. On the 2-core VM of
 * docs/benchmarks.md that doubled a 20,000-file create's CPU (2.7 s → 5.6 s, user and system alike).
 */
export function warmEveryFile(files) {
  const buf = Buffer.allocUnsafe(1 << 16);
  for (const f of files) {
    const fd = fs.openSync(f, 'r');
    try {
      while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * Drops every file from the page cache (POSIX_FADV_DONTNEED, as borg does after reading; through
 * Python, as node has no fadvise), so the next reader finds the tree as a backup of files changed
 * long ago would: on disk. Only clean pages are dropped, so the tree is `sync`ed first.
 */
export function coolEveryFile(files) {
  spawnSync('sync');
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const script =
    'import os,sys\n' +
    'for p in sys.stdin.buffer.read().split(b"\\0"):\n' +
    '    if p:\n' +
    '        fd = os.open(p, os.O_RDONLY)\n' +
    '        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)\n' +
    '        os.close(fd)\n';
  const r = spawnSync(python, ['-c', script], { input: files.join('\0') });
  if (r.status !== 0) throw new Error(`could not drop the tree from the page cache: ${r.stderr?.toString() ?? r.error}`);
}
