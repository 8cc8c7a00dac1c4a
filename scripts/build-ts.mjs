#!/usr/bin/env node
/**
 * Emits the engine (dist/) or the app's main process (dist-electron/) from TypeScript, one .js and
 * one .js.map per source file, as `tsc -p <project> --noCheck` would: same folders, ES modules,
 * import specifiers as written. esbuild does it in well under a second where tsc took ~7 s of CPU
 * per project; `npm run typecheck` (tsc --noEmit over everything) is what checks the types, and
 * tsconfig.json's `isolatedModules` keeps every file transpilable on its own.
 *
 * For the engine it then bundles the CLI (see bundleCli below): dist/cli.js is the bundle's entry, the
 * rest of dist/ stays one module per source file for whatever imports the engine's modules directly.
 *
 * Usage: node scripts/build-ts.mjs engine|app
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGETS = {
  // tsconfig.build.json: rootDir src, outDir dist.
  engine: { tsconfig: 'tsconfig.build.json', sources: ['src'], out: 'dist', base: 'src' },
  // tsconfig.electron.json: rootDir ., outDir dist-electron (electron/ and the src/ it imports).
  app: { tsconfig: 'tsconfig.electron.json', sources: ['electron', 'src'], out: 'dist-electron', base: '.' },
};

const target = TARGETS[process.argv[2] ?? ''];
if (!target) {
  console.error(`usage: node scripts/build-ts.mjs ${Object.keys(TARGETS).join('|')}`);
  process.exit(2);
}

// esbuild expands the wildcard itself; there are no .d.ts files under src/ or electron/.
const entryPoints = target.sources.map((s) => path.join(ROOT, s, '**/*.ts'));
const result = await esbuild.build({
  entryPoints,
  outdir: path.join(ROOT, target.out),
  outbase: path.join(ROOT, target.base),
  tsconfig: path.join(ROOT, target.tsconfig),
  bundle: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
if (result.errors.length > 0) process.exit(1);

/**
 * `dandelion` runs from a bundle: node 20 resolves, reads, links and compiles each ES module on every
 * start (no compile cache before node 22), and a `dandelion run` used to load 86 of them (zod's 10
 * among them) for ~45 ms of CPU more than the bundle (docs/benchmarks.md, "The cost of a run").
 * Splitting keeps each `import()` of the CLI lazy: a command still loads only the chunks it uses
 * (test/integration/startup-cost.test.ts reads which sources each chunk holds from chunks.json).
 * zod is pure JavaScript and bundled; the other packages stay in node_modules (native code, CommonJS
 * loaded with require, or only used by the daemon and import).
 */
async function bundleCli() {
  const chunks = path.join(ROOT, 'dist', 'cli-chunks');
  fs.rmSync(chunks, { recursive: true, force: true });
  const bundled = await esbuild.build({
    entryPoints: { cli: path.join(ROOT, 'src', 'cli.ts') },
    outdir: path.join(ROOT, 'dist'),
    chunkNames: 'cli-chunks/[name]-[hash]',
    tsconfig: path.join(ROOT, 'tsconfig.build.json'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [bundleOnly(['zod'])],
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  if (bundled.errors.length > 0) process.exit(1);
  const outputs = Object.fromEntries(
    Object.entries(bundled.metafile.outputs)
      .filter(([file]) => file.endsWith('.js'))
      .map(([file, o]) => [path.relative(path.join(ROOT, 'dist'), path.resolve(ROOT, file)), Object.keys(o.inputs)]),
  );
  fs.writeFileSync(path.join(chunks, 'chunks.json'), `${JSON.stringify(outputs, null, 1)}\n`);
}

/** Leaves every package import to node except `names`, which esbuild resolves and bundles. */
function bundleOnly(names) {
  return {
    name: 'bundle-only',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        const pkg = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
        if (names.includes(pkg) || args.path.startsWith('node:')) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

if (process.argv[2] === 'engine') await bundleCli();
