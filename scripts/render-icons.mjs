// Renders the icon sources to the images the app ships (`npm run icons` after editing an SVG):
//
//   assets/icons/<state>.svg  →  assets/tray/tray<State>Template.png (16 px) and @2x (32 px): macOS
//                                template images, black + alpha, the menu bar tints them;
//                                assets/tray/tray<State>.png (22 px) and @2x (44 px): a colour per
//                                state for Linux trays, the 16 pt drawing centred with 3 pt to spare
//   assets/app-icon.svg       →  assets/icon.png (1024 px) and assets/icon.icns
//
// The output is the same bytes on every run (no timestamps; resvg renders without system fonts), so
// a rerun changes nothing in git unless an SVG changed. test/unit/icons.test.ts renders into a
// temporary folder with `--out DIR` and fails when a committed image no longer matches its source.
import { Resvg } from '@resvg/resvg-js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outIndex = process.argv.indexOf('--out');
const outRoot = outIndex >= 0 ? process.argv[outIndex + 1] : root;
if (!outRoot) throw new Error('usage: node scripts/render-icons.mjs [--out DIR]');

const trayStates = ['ok', 'running', 'attention', 'error'];

// Mid-luminance colours: at least 3:1 against both dark and light panels (black, Breeze dark
// #31363b, Breeze light #eff0f1, white); the icons test measures it.
const trayColours = { ok: '#1f9d55', running: '#2f80ed', attention: '#c06f00', error: '#e5484d' };

// The tray sources draw on a 16 × 16 grid in currentColor; this is their root element's signature.
const trayRoot = 'width="16" height="16" viewBox="0 0 16 16" color="#000"';

function render(svg, width) {
  const resvg = new Resvg(svg, { fitTo: { mode: 'width', value: width }, font: { loadSystemFonts: false } });
  const image = resvg.render();
  if (image.width !== width) throw new Error(`rendered ${image.width} px wide instead of ${width}`);
  return image.asPng();
}

/** The same drawing in a state colour on a 22 × 22 canvas (3 pt of room on each side). */
function colourVariant(svg, colour, file) {
  if (!svg.includes(trayRoot)) throw new Error(`${file}: the root element must carry ${trayRoot}`);
  return svg.replace(trayRoot, `width="22" height="22" viewBox="-3 -3 22 22" color="${colour}"`);
}

// icns: 'icns' + u32 total length, then entries of a 4-character type + u32 length (8-byte header
// included) + PNG data. The retina types (ic11…ic14) hold the @2x image of the size before them.
const icnsTypes = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
];

function icns(pngOfSize) {
  const entries = icnsTypes.map(([type, size]) => {
    const png = pngOfSize(size);
    const header = Buffer.alloc(8);
    header.write(type, 0, 'latin1');
    header.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([header, png]);
  });
  const header = Buffer.alloc(8);
  header.write('icns', 0, 'latin1');
  header.writeUInt32BE(8 + entries.reduce((sum, entry) => sum + entry.length, 0), 4);
  return Buffer.concat([header, ...entries]);
}

const outputs = new Map();
for (const state of trayStates) {
  const file = `assets/icons/${state}.svg`;
  const svg = readFileSync(join(root, file), 'utf8');
  const name = `tray${state[0].toUpperCase()}${state.slice(1)}`;
  outputs.set(`assets/tray/${name}Template.png`, render(svg, 16));
  outputs.set(`assets/tray/${name}Template@2x.png`, render(svg, 32));
  const coloured = colourVariant(svg, trayColours[state], file);
  outputs.set(`assets/tray/${name}.png`, render(coloured, 22));
  outputs.set(`assets/tray/${name}@2x.png`, render(coloured, 44));
}

const appSvg = readFileSync(join(root, 'assets/app-icon.svg'), 'utf8');
const appPngs = new Map();
const appPng = (size) => {
  if (!appPngs.has(size)) appPngs.set(size, render(appSvg, size));
  return appPngs.get(size);
};
outputs.set('assets/icon.png', appPng(1024));
outputs.set('assets/icon.icns', icns(appPng));

for (const [file, bytes] of outputs) {
  const path = join(outRoot, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}
console.log(`rendered ${outputs.size} files into ${outRoot}`);
