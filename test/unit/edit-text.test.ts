/**
 * One app setting changed in a hand-written config.json, everything else kept to the letter; and a
 * save that writes that text only when it says exactly the settings saved.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withAppSetting } from '../../src/profiles/edit-text.js';
import { saveConfig } from '../../src/profiles/store.js';

const PROFILE = `{ "id": "docs", "repository": "/srv/b", "encryption": "none", "sources": ["/home/me/Documents"] }`;

describe('withAppSetting', () => {
  it('changes a value already there and nothing else', () => {
    const text = `{\n  "app" : {"notifications": {"success": true},   "openAtLogin":false},\n  "profiles": [${PROFILE}]\n}\n`;
    expect(withAppSetting(text, 'openAtLogin', true)).toBe(text.replace('"openAtLogin":false', '"openAtLogin":true'));
  });

  it('adds the setting first in an existing app object, indented like its neighbours', () => {
    const text = `{\n    "app": {\n        "notifications": { "success": true }\n    },\n    "profiles": []\n}`;
    expect(withAppSetting(text, 'openAtLogin', false)).toBe(
      `{\n    "app": {\n        "openAtLogin": false,\n        "notifications": { "success": true }\n    },\n    "profiles": []\n}`,
    );
  });

  it('adds an app object first in the file, with tabs where the person used tabs, and keeps no final newline', () => {
    const text = `{\n\t"profiles": [\n\t\t${PROFILE}\n\t]\n}`;
    expect(withAppSetting(text, 'openAtLogin', true)).toBe(`{\n\t"app": { "openAtLogin": true },\n\t"profiles": [\n\t\t${PROFILE}\n\t]\n}`);
  });

  it('fills empty objects on one line', () => {
    expect(withAppSetting('{}', 'openAtLogin', true)).toBe('{ "app": { "openAtLogin": true } }');
    expect(withAppSetting('{"app": { }, "profiles": []}', 'openAtLogin', true)).toBe('{"app": { "openAtLogin": true }, "profiles": []}');
  });

  it("keeps a byte order mark (Notepad's) where it was", () => {
    expect(withAppSetting('\ufeff{"profiles": []}', 'openAtLogin', true)).toBe('\ufeff{"app": { "openAtLogin": true }, "profiles": []}');
  });

  it('gives up (null) where it could not be sure: not JSON, not an object, app or the setting of another type', () => {
    expect(withAppSetting('{"profiles": [}', 'openAtLogin', true)).toBeNull();
    expect(withAppSetting('[]', 'openAtLogin', true)).toBeNull();
    expect(withAppSetting('{"app": []}', 'openAtLogin', true)).toBeNull();
    expect(withAppSetting('{"app": {"openAtLogin": "yes"}}', 'openAtLogin', true)).toBeNull();
  });

  it('always means the old settings plus this one, duplicate keys included', () => {
    for (const text of ['{"app": {"openAtLogin": true}, "app": {}}', '{"a": {"app": 1}, "profiles": []}', '{"app.openAtLogin": 1}']) {
      const out = withAppSetting(text, 'openAtLogin', false);
      if (out === null) continue;
      const before = JSON.parse(text) as { app?: object };
      expect(JSON.parse(out)).toEqual({ ...before, app: { ...(before.app ?? {}), openAtLogin: false } });
    }
  });
});

describe('a save with the text to write', () => {
  it('writes that text when it says exactly the settings, and the usual form when it does not', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dandelion-edit-'));
    try {
      const file = path.join(dir, 'config.json');
      const input = { app: { openAtLogin: true }, profiles: [JSON.parse(PROFILE)] };
      const text = `{ "app": { "openAtLogin": true },\n\t"profiles": [${PROFILE}] }`;
      const r = await saveConfig(file, input, undefined, { text });
      expect(r.ok).toBe(true);
      expect(await fs.readFile(file, 'utf8')).toBe(text);

      // A text that says something else (here: Open at Login off) is not written; the input is.
      await saveConfig(file, input, undefined, { text: text.replace('true', 'false') });
      expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({ version: 1, ...input });
      // Nor one of another version.
      await saveConfig(file, input, undefined, { text: text.replace('{ "app"', '{ "version": 7, "app"') });
      expect(await fs.readFile(file, 'utf8')).toMatch(/^{\n {2}"version": 1,/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
