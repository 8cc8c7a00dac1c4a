#!/usr/bin/env node
/**
 * Builds the windows into dist-renderer/: one esbuild bundle per window (Preact, no CDN, no inline
 * script, so the CSP stays `script-src 'self'`), the shared stylesheet, the HTML pages and the
 * sandboxed preload. An entry whose source does not exist yet is skipped, so a window can land later.
 *
 * Usage: node scripts/build-renderer.mjs [--quiet]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist-renderer');
const quiet = process.argv.includes('--quiet');

/** The one policy every page carries; the build refuses a page that says anything else. */
export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'";

const WINDOWS = ['status', 'preferences', 'browse'];
const exists = (rel) => fs.existsSync(path.join(ROOT, rel));

/** A page must carry the CSP and nothing inline: no <script> body, no <style>, no style="" or on*="" attribute. */
function checkPage(rel, html) {
  const problems = [];
  if (!html.includes(`content="${CSP}"`)) problems.push(`its Content-Security-Policy meta is not "${CSP}"`);
  if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) problems.push('it has an inline <script>');
  if (/<style[\s>]/i.test(html)) problems.push('it has a <style> element');
  if (/\sstyle\s*=/i.test(html)) problems.push('it has a style="" attribute');
  if (/\son[a-z]+\s*=/i.test(html)) problems.push('it has an inline event handler');
  if (problems.length) throw new Error(`${rel}: ${problems.join('; ')}`);
}

/**
 * Builds into `out` (default dist-renderer/) every window whose source exists, or only `windows`,
 * each in its own esbuild run (a window that does not build yet does not stop the others from
 * being built; the error is still thrown at the end). Returns the files written.
 */
export async function buildRenderer(out = OUT, { windows = WINDOWS, preload = true } = {}) {
  fs.mkdirSync(out, { recursive: true });
  const built = [];
  const errors = [];

  for (const w of windows) {
    if (!exists(`renderer/${w}/main.tsx`)) continue;
    try {
      await esbuild.build({
        entryPoints: { [w]: path.join(ROOT, `renderer/${w}/main.tsx`) },
        outdir: out,
        bundle: true,
        // A classic script: Chromium refuses module scripts from file:// (origin null), where the pages load from.
        format: 'iife',
        target: 'chrome130',
        platform: 'browser',
        minify: false,
        sourcemap: 'linked',
        jsx: 'automatic',
        jsxImportSource: 'preact',
        logLevel: 'silent',
        legalComments: 'none',
      });
      built.push(`${w}.js`);
    } catch (err) {
      errors.push(err);
    }
  }

  if (exists('renderer/shared/style.css')) {
    // Bundled too, so a window's own stylesheet can @import the shared one and still be one file.
    await esbuild.build({
      entryPoints: { style: path.join(ROOT, 'renderer/shared/style.css') },
      outdir: out,
      bundle: true,
      minify: false,
      logLevel: 'warning',
    });
    built.push('style.css');
  }

  for (const w of windows) {
    const rel = `renderer/${w}.html`;
    if (!exists(rel)) continue;
    const html = fs.readFileSync(path.join(ROOT, rel), 'utf8');
    checkPage(rel, html);
    fs.writeFileSync(path.join(out, `${w}.html`), html);
    built.push(`${w}.html`);
  }

  if (preload && exists('electron/preload.ts')) {
    await esbuild.build({
      entryPoints: [path.join(ROOT, 'electron/preload.ts')],
      outfile: path.join(out, 'preload.cjs'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['electron'],
      sourcemap: 'linked',
      logLevel: 'warning',
    });
    built.push('preload.cjs');
  }
  if (errors.length) throw new AggregateError(errors, errors.map((e) => e.message).join('\n'));
  return built;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildRenderer().then(
    (built) => {
      if (!quiet) process.stdout.write(`dist-renderer/: ${built.join(', ')}\n`);
    },
    (err) => {
      process.stderr.write(`${err.message ?? err}\n`);
      process.exit(1);
    },
  );
}
