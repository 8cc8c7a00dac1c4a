import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
// electron-builder's own pieces, so the checks mean what electron-builder will do with the file.
const { validateConfiguration } =
  require('app-builder-lib/out/util/config/config.js') as typeof import('app-builder-lib/out/util/config/config.js');
const { FileMatcher } = require('app-builder-lib/out/fileMatcher.js') as typeof import('app-builder-lib/out/fileMatcher.js');
const { DebugLogger } = require('builder-util') as typeof import('builder-util');

interface Target {
  target: string;
  arch: string[];
}
interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asarUnpack: string[];
  beforePack: string;
  mac: {
    category: string;
    target: Target[];
    icon: string;
    hardenedRuntime: boolean;
    gatekeeperAssess: boolean;
    entitlements: string;
    entitlementsInherit: string;
    notarize: unknown;
    extendInfo: Record<string, unknown>;
  };
  linux: { target: string[]; category: string; icon: string };
  deb: { depends: string[] };
}

const configText = readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
const config = parse(configText) as BuilderConfig;
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };
const keyringPackageJson = (name: string) =>
  JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
    version: string;
    optionalDependencies?: Record<string, string>;
  };

interface Hook {
  beforePack(context: { electronPlatformName: string; arch: number; packager: { projectDir: string } }): Promise<void>;
  keyringVersion(projectDir: string): string;
  keyringPackages(platform: string, arch: string, version: string): { name: string; spec: string }[];
}
const loadHook = async () => (await import(pathToFileURL(path.join(root, config.beforePack)).href)) as Hook;

describe('electron-builder.yml', () => {
  it('is a configuration electron-builder accepts', async () => {
    await expect(validateConfiguration(config as never, new DebugLogger(false))).resolves.toBeUndefined();
    expect(config.appId).toBe('org.dandelion.app');
    expect(config.productName).toBe('Dandelion');
  });

  it('builds a dmg and a zip for each of arm64 and x64 on macOS', () => {
    expect(config.mac.category).toBe('public.app-category.utilities');
    for (const kind of ['dmg', 'zip']) {
      const targets = config.mac.target.filter((t) => t.target === kind);
      expect(targets, kind).toHaveLength(1);
      expect([...targets[0]!.arch].sort(), kind).toEqual(['arm64', 'x64']);
    }
  });

  it('signs with the hardened runtime and the entitlements Electron and the keyring binding need, without a sandbox', () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.gatekeeperAssess).toBe(false);
    for (const file of [config.mac.entitlements, config.mac.entitlementsInherit]) {
      const plist = readFileSync(path.join(root, file), 'utf8');
      for (const key of [
        'com.apple.security.cs.allow-jit',
        'com.apple.security.cs.allow-unsigned-executable-memory',
        'com.apple.security.cs.disable-library-validation',
      ]) {
        expect(plist, `${file}: ${key}`).toMatch(new RegExp(`<key>${key.replace(/\./g, '\\.')}</key>\\s*<true/>`));
      }
      // A sandboxed app could not run Homebrew's borg or read the folders it backs up.
      expect(plist).not.toContain('com.apple.security.app-sandbox');
    }
  });

  it('hides the Dock icon and says why it asks for each protected place', () => {
    expect(config.mac.extendInfo.LSUIElement).toBe(true);
    for (const key of [
      'NSDesktopFolderUsageDescription',
      'NSDocumentsFolderUsageDescription',
      'NSRemovableVolumesUsageDescription',
      'NSNetworkVolumesUsageDescription',
    ]) {
      expect(config.mac.extendInfo[key], key).toMatch(/^Dandelion .{20,}/);
    }
  });

  it('points at icon files that exist', () => {
    expect(config.mac.icon).toBe('assets/icon.icns');
    expect(readFileSync(path.join(root, config.mac.icon)).subarray(0, 4).toString('latin1')).toBe('icns');
    expect(config.linux.icon).toBe('assets/icon.png');
    expect(existsSync(path.join(root, config.linux.icon))).toBe(true);
  });

  it('notarizes with credentials from the environment only', () => {
    expect(config.mac.notarize).toBe(true);
    const keys: string[] = [];
    const walk = (value: unknown) => {
      if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          keys.push(key);
          walk(inner);
        }
      }
    };
    walk(config);
    expect(keys.filter((k) => /password|secret|token|apikey|appleid|teamid|csclink|csckey|identity|keychain/i.test(k))).toEqual([]);
    // No credential values either, in the YAML or its comments.
    expect(configText).not.toMatch(
      /APPLE_[A-Z_]+\s*[=:]\s*\S|-----BEGIN|@(icloud|me|gmail)\.com|[A-Z0-9]{10}\.p8|\b[a-z]{4}-[a-z]{4}-[a-z]{4}-[a-z]{4}\b/,
    );
  });

  it('builds an AppImage and a deb that depends on borg on Linux', () => {
    expect([...config.linux.target].sort()).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Utility');
    expect(config.deb.depends).toContain('borgbackup');
    // A depends list replaces electron-builder's defaults: Electron's own libraries must stay listed.
    const { default: FpmTarget } =
      require('app-builder-lib/out/targets/FpmTarget.js') as typeof import('app-builder-lib/out/targets/FpmTarget.js');
    const defaults = (FpmTarget.prototype as unknown as { getDefaultDepends(target: string): string[] }).getDefaultDepends('deb');
    expect(defaults.length).toBeGreaterThan(0);
    expect(config.deb.depends).toEqual(expect.arrayContaining(defaults));
  });

  it('keeps the keyring binding outside the asar, for each architecture', () => {
    const unpacked = new FileMatcher(root, '/app', (p) => p, config.asarUnpack).createFilter();
    const file = { isDirectory: () => false } as never;
    for (const rel of [
      'node_modules/@napi-rs/keyring/index.js',
      'node_modules/@napi-rs/keyring-darwin-arm64/keyring.darwin-arm64.node',
      'node_modules/@napi-rs/keyring-darwin-x64/keyring.darwin-x64.node',
      'node_modules/@napi-rs/keyring-linux-x64-gnu/keyring.linux-x64-gnu.node',
    ]) {
      expect(unpacked(path.join(root, rel), file), rel).toBe(true);
    }
    expect(unpacked(path.join(root, 'node_modules/zod/index.js'), file)).toBe(false);
  });

  it('packs the main entry, the windows and the icons', () => {
    const packed = new FileMatcher(root, '/app', (p) => p, config.files).createFilter();
    const file = { isDirectory: () => false } as never;
    for (const rel of [
      packageJson.main,
      'dist/engine.js',
      'dist-renderer/status.html',
      'renderer/status.html',
      'assets/tray/trayOkTemplate@2x.png',
      'package.json',
    ]) {
      expect(packed(path.join(root, rel), file), rel).toBe(true);
    }
    expect(packed(path.join(root, 'src/engine.ts'), file)).toBe(false);
  });

  it('packs only folders that are committed or that a step of npm run dist builds', () => {
    const steps = packageJson.scripts.dist!.split('&&').map((s) => s.trim());
    expect(steps.at(-1)).toBe('electron-builder');
    const built = new Map<string, string>();
    for (const step of steps.slice(0, -1)) {
      const name = /^npm run (\S+)$/.exec(step)?.[1];
      expect(name, step).toBeDefined();
      const command = packageJson.scripts[name!];
      expect(command, `package.json has no "${name}" script`).toBeDefined();
      // A type check (`tsc … --noEmit`) builds nothing.
      for (const [call, tsconfig] of command!.matchAll(/\btsc -p (\S+)[^&]*/g))
        if (!/--noEmit\b/.test(call)) built.set(outDir(tsconfig!), name!);
      for (const [, script] of command!.matchAll(/\bnode (scripts\/\S+\.mjs)/g)) {
        for (const [, dir] of readFileSync(path.join(root, script!), 'utf8').matchAll(/['"](dist[\w-]*)['"]/g)) built.set(dir!, name!);
      }
    }
    for (const pattern of config.files) {
      const top = pattern.split('/')[0]!;
      if (built.has(top)) continue;
      // Not built: a committed folder or file with something in it the pattern matches.
      const matcher = new FileMatcher(root, '/app', (p) => p, [pattern]).createFilter();
      const file = { isDirectory: () => false } as never;
      const candidates = existsSync(path.join(root, top)) ? walk(path.join(root, top)) : [];
      expect(
        candidates.some((f) => matcher(f, file)),
        `${pattern}: ${top} is neither built by npm run dist (${[...built.keys()].join(', ')}) nor in the repository`,
      ).toBe(true);
    }
    expect([...built.keys()].sort()).toEqual(['dist', 'dist-electron', 'dist-renderer']);
  });
});

function outDir(tsconfig: string): string {
  const json = JSON.parse(readFileSync(path.join(root, tsconfig), 'utf8')) as { extends?: string; compilerOptions?: { outDir?: string } };
  if (json.compilerOptions?.outDir) return path.normalize(json.compilerOptions.outDir);
  if (json.extends) return outDir(json.extends);
  throw new Error(`${tsconfig} names no outDir`);
}

function walk(p: string): string[] {
  return statSync(p).isDirectory() ? readdirSync(p).flatMap((name) => walk(path.join(p, name))) : [p];
}

describe('the before-pack hook', () => {
  it('is configured and names the x64 keyring binding at the installed @napi-rs/keyring version', async () => {
    expect(config.beforePack).toBe('./scripts/before-pack.mjs');
    const hook = await loadHook();
    const version = keyringPackageJson('@napi-rs/keyring').version;
    expect(hook.keyringVersion(root)).toBe(version);
    expect(hook.keyringPackages('darwin', 'x64', version)).toEqual([
      { name: '@napi-rs/keyring-darwin-x64', spec: `@napi-rs/keyring-darwin-x64@${version}` },
    ]);
    expect(hook.keyringPackages('darwin', 'universal', version).map((p) => p.name)).toEqual([
      '@napi-rs/keyring-darwin-x64',
      '@napi-rs/keyring-darwin-arm64',
    ]);
    // The names are the ones @napi-rs/keyring itself loads and lists.
    const loader = readFileSync(path.join(root, 'node_modules/@napi-rs/keyring/index.js'), 'utf8');
    const optional = keyringPackageJson('@napi-rs/keyring').optionalDependencies ?? {};
    for (const { name } of hook.keyringPackages('darwin', 'universal', version)) {
      expect(loader).toContain(`require('${name}')`);
      expect(optional[name], name).toBe(version);
    }
  });

  describe('with a fake npm', () => {
    let dir: string;
    let project: string;
    let log: string;
    const savedPath = process.env.PATH;
    const darwin = (arch: number) => ({ electronPlatformName: 'darwin', arch, packager: { projectDir: project } });
    const X64 = 1;
    const ARM64 = 3;
    const UNIVERSAL = 4;
    const install = (name: string, version: string) => {
      mkdirSync(path.join(project, 'node_modules', name), { recursive: true });
      writeFileSync(path.join(project, 'node_modules', name, 'package.json'), JSON.stringify({ name, version }));
    };
    const npmCalls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);

    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'dandelion-before-pack-'));
      project = path.join(dir, 'project');
      log = path.join(dir, 'npm.log');
      mkdirSync(path.join(dir, 'bin'));
      // Records its arguments; installs the @napi-rs packages it is given unless told not to.
      writeFileSync(
        path.join(dir, 'bin/npm'),
        `#!/bin/sh
echo "$PWD $*" >> "${log}"
[ -n "$FAKE_NPM_BROKEN" ] && exit 0
for spec in "$@"; do
  case "$spec" in @napi-rs/*@*)
    name="\${spec%@*}"; version="\${spec##*@}"
    mkdir -p "node_modules/$name"
    printf '{"name":"%s","version":"%s"}' "$name" "$version" > "node_modules/$name/package.json";;
  esac
done
`,
      );
      chmodSync(path.join(dir, 'bin/npm'), 0o755);
      process.env.PATH = `${path.join(dir, 'bin')}${path.delimiter}${savedPath}`;
      install('@napi-rs/keyring', '2.1.2');
      install('@napi-rs/keyring-darwin-arm64', '2.1.2');
    });
    afterEach(() => {
      process.env.PATH = savedPath;
      delete process.env.FAKE_NPM_BROKEN;
      rmSync(dir, { recursive: true, force: true });
    });

    it('installs the x64 binding, pinned and unsaved, when packing x64 on an arm64 Mac', async () => {
      const { beforePack } = await loadHook();
      await beforePack(darwin(X64));
      expect(npmCalls()).toEqual([
        `${project} install --no-save --force --ignore-scripts --no-audit --no-fund @napi-rs/keyring-darwin-x64@2.1.2`,
      ]);
      await beforePack(darwin(X64));
      expect(npmCalls()).toHaveLength(1);
    });

    it('does nothing when the binding of the packed architecture is there', async () => {
      const { beforePack } = await loadHook();
      await beforePack(darwin(ARM64));
      expect(npmCalls()).toEqual([]);
    });

    it('replaces a binding of another version and brings both for a universal app', async () => {
      install('@napi-rs/keyring-darwin-x64', '2.0.0');
      const { beforePack } = await loadHook();
      await beforePack(darwin(UNIVERSAL));
      expect(npmCalls()).toEqual([
        `${project} install --no-save --force --ignore-scripts --no-audit --no-fund @napi-rs/keyring-darwin-x64@2.1.2`,
      ]);
    });

    it('fails the build when npm did not install the binding', async () => {
      process.env.FAKE_NPM_BROKEN = '1';
      const { beforePack } = await loadHook();
      await expect(beforePack(darwin(X64))).rejects.toThrow(/@napi-rs\/keyring-darwin-x64@2\.1\.2 did not install/);
    });
  });
});
