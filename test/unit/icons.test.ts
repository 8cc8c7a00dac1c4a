import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trayIconFile, trayIcons, type TrayIcon } from '../../src/app/icons.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const capital = (icon: TrayIcon) => `${icon[0]!.toUpperCase()}${icon.slice(1)}`;

const templates = trayIcons.flatMap((icon) => [
  { icon, file: `assets/tray/tray${capital(icon)}Template.png`, size: 16 },
  { icon, file: `assets/tray/tray${capital(icon)}Template@2x.png`, size: 32 },
]);
const colours = trayIcons.flatMap((icon) => [
  { icon, file: `assets/tray/tray${capital(icon)}.png`, size: 22 },
  { icon, file: `assets/tray/tray${capital(icon)}@2x.png`, size: 44 },
]);
const pngs = [...templates, ...colours, { icon: null, file: 'assets/icon.png', size: 1024 }];

const readPng = (file: string) => PNG.sync.read(readFileSync(file));
const pixels = (png: PNG) => Array.from({ length: png.width * png.height }, (_, i) => png.data.subarray(i * 4, i * 4 + 4));

/** WCAG contrast ratio of two sRGB colours. */
function contrast(a: readonly number[], b: readonly number[]): number {
  const luminance = (rgb: readonly number[]) => {
    const [r, g, b] = rgb.map((v) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** The colour most fully opaque pixels have: the state colour of a tray image. */
function mainColour(png: PNG): number[] {
  const counts = new Map<string, number>();
  for (const [r, g, b, a] of pixels(png)) if (a === 255) counts.set(`${r},${g},${b}`, (counts.get(`${r},${g},${b}`) ?? 0) + 1);
  const [top] = [...counts].sort((x, y) => y[1] - x[1]);
  return top![0].split(',').map(Number);
}

interface IcnsEntry {
  type: string;
  png: Buffer;
}

/** Reads an .icns written as 'icns' + u32 length, then (type, u32 length incl. header, data) entries. */
function parseIcns(bytes: Buffer): IcnsEntry[] {
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('icns');
  expect(bytes.readUInt32BE(4)).toBe(bytes.length);
  const entries: IcnsEntry[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = bytes.readUInt32BE(at + 4);
    expect(length).toBeGreaterThan(8);
    expect(at + length).toBeLessThanOrEqual(bytes.length);
    entries.push({ type: bytes.subarray(at, at + 4).toString('latin1'), png: bytes.subarray(at + 8, at + length) });
    at += length;
  }
  return entries;
}

const icnsSizes: Record<string, number> = {
  icp4: 16,
  icp5: 32,
  icp6: 64,
  ic07: 128,
  ic08: 256,
  ic09: 512,
  ic10: 1024,
  ic11: 32,
  ic12: 64,
  ic13: 256,
  ic14: 512,
};

describe('tray and app icons', () => {
  let fresh: string;
  let again: string;
  const render = (out: string) =>
    execFileSync(process.execPath, [path.join(root, 'scripts/render-icons.mjs'), '--out', out], { cwd: root });

  beforeAll(() => {
    fresh = mkdtempSync(path.join(os.tmpdir(), 'dandelion-icons-'));
    again = mkdtempSync(path.join(os.tmpdir(), 'dandelion-icons-'));
    render(fresh);
    render(again);
  });
  afterAll(() => {
    rmSync(fresh, { recursive: true, force: true });
    rmSync(again, { recursive: true, force: true });
  });

  it('has an SVG source for every tray state and nothing else', () => {
    expect(readdirSync(path.join(root, 'assets/icons')).sort()).toEqual(trayIcons.map((icon) => `${icon}.svg`).sort());
  });

  it.each(pngs)('$file is $size × $size', ({ file, size }) => {
    const png = readPng(path.join(root, file));
    expect([png.width, png.height]).toEqual([size, size]);
  });

  it.each(templates)('$file is a template image: black wherever it is not transparent, and not empty', ({ file }) => {
    const png = readPng(path.join(root, file));
    const drawn = pixels(png).filter(([, , , a]) => a! > 0);
    expect(drawn.filter(([r, g, b]) => r !== 0 || g !== 0 || b !== 0)).toEqual([]);
    // The drawing covers a good part of the square (the seed head alone is about a fifth of it).
    expect(drawn.filter(([, , , a]) => a! >= 128).length).toBeGreaterThan(png.width * png.height * 0.1);
  });

  it.each(colours)('$file is drawn in its state colour, readable on dark and light panels', ({ icon, file }) => {
    const png = readPng(path.join(root, file));
    expect(pixels(png).filter(([, , , a]) => a! >= 128).length).toBeGreaterThan(png.width * png.height * 0.05);
    const [r, g, b] = mainColour(png) as [number, number, number];
    const family = { ok: g > r && g > b, running: b > r && b > g, attention: r > g && g > b, error: r > g && r > b };
    expect(family[icon], `rgb(${r}, ${g}, ${b}) for ${icon}`).toBe(true);
    // GNOME's black bar, KDE Breeze dark and light, a white panel: 3:1 is WCAG's floor for graphics.
    for (const panel of [
      [0, 0, 0],
      [0x31, 0x36, 0x3b],
      [0xef, 0xf0, 0xf1],
      [255, 255, 255],
    ]) {
      expect(contrast([r, g, b], panel), `rgb(${r}, ${g}, ${b}) on rgb(${panel.join(', ')})`).toBeGreaterThanOrEqual(3);
    }
  });

  it('gives each state its own colour on Linux and its own drawing everywhere', () => {
    const main = new Set(trayIcons.map((icon) => mainColour(readPng(path.join(root, trayIconFile(icon, 'linux')))).join(',')));
    expect(main.size).toBe(trayIcons.length);
    const drawings = new Set(templates.map(({ file }) => readPng(path.join(root, file)).data.toString('base64')));
    expect(drawings.size).toBe(templates.length);
  });

  it('renders the same bytes on every run', () => {
    for (const file of [...pngs.map((p) => p.file), 'assets/icon.icns']) {
      expect(readFileSync(path.join(again, file)).equals(readFileSync(path.join(fresh, file))), file).toBe(true);
    }
  });

  // Compared as premultiplied pixels with 2 levels of slack, so another CPU's rounding in the
  // rasterizer passes, while a PNG not re-rendered after its SVG changed (whole shapes move) fails.
  const samePixels = (committed: PNG, rendered: PNG, what: string) => {
    expect([committed.width, committed.height], what).toEqual([rendered.width, rendered.height]);
    let worst = 0;
    for (let i = 0; i < committed.data.length; i += 4) {
      const ca = committed.data[i + 3]!;
      const ra = rendered.data[i + 3]!;
      worst = Math.max(worst, Math.abs(ca - ra));
      for (let c = 0; c < 3; c++)
        worst = Math.max(worst, Math.abs((committed.data[i + c]! * ca) / 255 - (rendered.data[i + c]! * ra) / 255));
    }
    expect(worst, `${what} differs from a fresh render by ${worst.toFixed(1)} levels: run npm run icons`).toBeLessThanOrEqual(2);
  };

  it.each(pngs)('$file matches a fresh render of its SVG', ({ file }) => {
    samePixels(readPng(path.join(root, file)), readPng(path.join(fresh, file)), file);
  });

  it('writes an .icns whose entries hold PNGs of the sizes their types say, matching a fresh render', () => {
    const committed = parseIcns(readFileSync(path.join(root, 'assets/icon.icns')));
    const rendered = parseIcns(readFileSync(path.join(fresh, 'assets/icon.icns')));
    expect(committed.map((e) => e.type).sort()).toEqual(Object.keys(icnsSizes).sort());
    expect(rendered.map((e) => e.type)).toEqual(committed.map((e) => e.type));
    committed.forEach((entry, i) => {
      const png = PNG.sync.read(entry.png);
      expect([png.width, png.height], entry.type).toEqual([icnsSizes[entry.type], icnsSizes[entry.type]]);
      samePixels(png, PNG.sync.read(rendered[i]!.png), `icon.icns ${entry.type}`);
    });
  });
});

describe('trayIconFile', () => {
  it.each(trayIcons)('names the template image for %s on macOS, which Electron tints and pairs with its @2x', (icon) => {
    const file = trayIconFile(icon, 'darwin');
    expect(file).toBe(`assets/tray/tray${capital(icon)}Template.png`);
    expect(existsSync(path.join(root, file))).toBe(true);
    expect(existsSync(path.join(root, file.replace(/\.png$/, '@2x.png')))).toBe(true);
  });

  it.each(trayIcons)('names the colour image for %s on Linux', (icon) => {
    const file = trayIconFile(icon, 'linux');
    expect(file).toBe(`assets/tray/tray${capital(icon)}.png`);
    expect(existsSync(path.join(root, file))).toBe(true);
    expect(existsSync(path.join(root, file.replace(/\.png$/, '@2x.png')))).toBe(true);
  });

  it('gives every state a file of its own', () => {
    for (const platform of ['darwin', 'linux'] as const) {
      expect(new Set(trayIcons.map((icon) => trayIconFile(icon, platform))).size).toBe(trayIcons.length);
    }
  });
});
