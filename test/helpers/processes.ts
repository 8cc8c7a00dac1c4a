import fs from 'node:fs/promises';

/**
 * The processes of a process group that still run, as `pid (comm)`: a killed one that init has not
 * reaped yet (a zombie) does not count. Linux only (/proc).
 */
export async function liveInGroup(pgid: number): Promise<string[]> {
  const live: string[] = [];
  for (const pid of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid pgrp …: comm may hold spaces, so the fields are counted after its ')'.
    const close = stat.lastIndexOf(')');
    const [state, , pgrp] = stat.slice(close + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') live.push(stat.slice(0, close + 1));
  }
  return live;
}
