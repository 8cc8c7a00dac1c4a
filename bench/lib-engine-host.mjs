/**
 * The engine in one long-lived process, as the menu-bar app and the daemon run it: started once, then
 * one backup of profile "p" for each line read on stdin, answered with one JSON line per backup: wall
 * time, node's own CPU (process.cpuUsage) and that of the borg it started and reaped (/proc's cutime and
 * cstime, childrenCpu in lib-proc.mjs). A scheduled backup pays this, not node's start-up.
 *
 * Usage: node bench/lib-engine-host.mjs <dist folder> <config dir>   (the passphrase store is in memory)
 */
import path from 'node:path';
import readline from 'node:readline';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { childrenCpu } from './lib-proc.mjs';

const [dist, configDir] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(path.join(dist, p)).href);
const { Engine } = await load('engine.js');
const { MemorySecretStore } = await load('secrets/keyring.js');
const { engine } = await Engine.open({ configDir, secrets: new MemorySecretStore() });

const answer = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
answer({ ready: true });
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (line.trim() !== 'run') continue;
  const own0 = process.cpuUsage();
  const kids0 = childrenCpu();
  const t0 = performance.now();
  const r = await engine.run('p', { trigger: 'manual' });
  const ms = performance.now() - t0;
  const own = process.cpuUsage(own0);
  const kids1 = childrenCpu();
  answer({
    result: r.result,
    ms,
    nodeUserMs: own.user / 1000,
    nodeSystemMs: own.system / 1000,
    borgUserMs: kids1.userMs - kids0.userMs,
    borgSystemMs: kids1.systemMs - kids0.systemMs,
  });
}
await engine.cancelAll();
