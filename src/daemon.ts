export async function runDaemon(_opts: { configDir: string }): Promise<number> {
  process.stderr.write('dandelion daemon: not available yet\n');
  return 2;
}
