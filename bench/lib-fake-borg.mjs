/**
 * A stand-in for borg 1.2.4 that lists many files fast, for measuring the engine alone
 * (started through a small shell wrapper that config.json's "borgPath" points at).
 *   --version          prints "borg 1.2.4"
 *   create ... --json  writes $DANDELION_FAKE_BORG_LINES (default 500000) log-json file_status lines
 *                      and an archive_progress line every 1000 files to stderr as fast as the pipe
 *                      takes them, then borg's --json answer to stdout
 *   anything else      exits 0 (prune, compact, init)
 */
import fs from 'node:fs';
import { Buffer } from 'node:buffer';

const args = process.argv.slice(2);

/** Blocking write of the whole string; the pipe's own back-pressure sets the pace. */
function writeAll(fd, text) {
  let buf = Buffer.from(text);
  while (buf.length) {
    try {
      buf = buf.subarray(fs.writeSync(fd, buf));
    } catch (err) {
      if (err.code !== 'EAGAIN') throw err;
    }
  }
}

if (args.includes('--version')) {
  process.stdout.write('borg 1.2.4\n');
} else if (args[0] === 'create') {
  const lines = Number(process.env.DANDELION_FAKE_BORG_LINES ?? 500000);
  const started = Date.now();
  let batch = '';
  for (let i = 0; i < lines; i++) {
    const p = `/bench/fake/d-${Math.floor(i / 1000)}/f-${i}`;
    batch += `{"type": "file_status", "status": "A", "path": "${p}"}\n`;
    if (i % 1000 === 999) {
      batch += `{"original_size": ${i * 100}, "compressed_size": ${i * 60}, "deduplicated_size": ${i * 60}, "nfiles": ${i + 1}, "path": "${p}", "time": ${Date.now() / 1000}, "type": "archive_progress", "finished": false}\n`;
      writeAll(2, batch);
      batch = '';
    }
  }
  batch += `{"time": ${Date.now() / 1000}, "type": "archive_progress", "finished": true}\n`;
  writeAll(2, batch);
  const duration = (Date.now() - started) / 1000;
  const answer = {
    archive: { name: 'fake', duration, stats: { original_size: 1, compressed_size: 1, deduplicated_size: 1, nfiles: lines } },
  };
  writeAll(1, JSON.stringify(answer, null, 4) + '\n');
}
