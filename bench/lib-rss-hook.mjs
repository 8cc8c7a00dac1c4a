/**
 * Preloaded into the CLI under test (`node --import <this> dist/cli.js ...`): at exit, writes the
 * process's own peak RSS to $DANDELION_BENCH_RSS_OUT. VmHWM is the high-water mark of this
 * process's address space since exec; ru_maxrss is a fallback where /proc does not exist (it can
 * include the forking parent's size, which is why it is not the first choice). Also the committed size
 * of each V8 heap space, to tell the engine's own memory from V8 sizing its young generation, and
 * the process's own CPU time (children excluded).
 */
import fs from 'node:fs';
import v8 from 'node:v8';

const out = process.env.DANDELION_BENCH_RSS_OUT;
if (out) {
  process.on('exit', () => {
    let hwmKb = null;
    let rssKb = null;
    try {
      const status = fs.readFileSync('/proc/self/status', 'utf8');
      hwmKb = Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
      rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
    } catch {
      /* not Linux */
    }
    // V8's heap spaces as they are at exit (committed sizes): the young generation ("new_space")
    // grows in steps up to its maximum, once per process, whatever the number of files.
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, Math.round(s.space_size / 1024)]));
    const usage = process.resourceUsage();
    // The process's own CPU, without its children (borg): what the engine itself spends.
    const cpu = { userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000 };
    fs.writeFileSync(out, JSON.stringify({ hwmKb, rssKb, maxRssKb: usage.maxRSS, spacesKb: spaces, cpu }));
  });
}
