// electron-builder `beforePack` hook: make sure the Keychain binding of the architecture being packed
// is in node_modules before electron-builder collects it.
//
// @napi-rs/keyring loads its native code from a per-platform package chosen at run time by
// process.arch (node_modules/@napi-rs/keyring/index.js: `@napi-rs/keyring-darwin-x64` or
// `-darwin-arm64`), and npm installs only the one for the machine it runs on. An x64 app packed on
// an arm64 Mac would ship without the binding it loads and could not reach the Keychain. So the
// missing one is installed here, pinned to the installed @napi-rs/keyring's version (the binding and
// its JavaScript must match): `--force` lets npm install a package whose `cpu` names another
// architecture (npm still skips the other optional platform packages), `--no-save` leaves
// package.json and the lock file alone. electron-builder then finds it as one of @napi-rs/keyring's
// optional dependencies and packs it, outside the asar (asarUnpack in electron-builder.yml).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// electron-builder's Arch enum (builder-util): hooks receive the number.
const archNames = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

const readVersion = (packageJson) => JSON.parse(readFileSync(packageJson, 'utf8')).version;

/** The version of @napi-rs/keyring installed in projectDir's node_modules. */
export function keyringVersion(projectDir) {
  return readVersion(join(projectDir, 'node_modules/@napi-rs/keyring/package.json'));
}

/**
 * The @napi-rs/keyring platform packages an app for `platform` and `arch` loads, as npm specs pinned
 * to `version`. A universal macOS app runs either way, so it carries both.
 */
export function keyringPackages(platform, arch, version) {
  const perArch = {
    darwin: { x64: ['darwin-x64'], arm64: ['darwin-arm64'], universal: ['darwin-x64', 'darwin-arm64'] },
    linux: { x64: ['linux-x64-gnu'], arm64: ['linux-arm64-gnu'] },
  };
  const suffixes = perArch[platform]?.[arch];
  if (!suffixes) throw new Error(`no @napi-rs/keyring binding known for ${platform}/${arch}`);
  return suffixes.map((suffix) => ({ name: `@napi-rs/keyring-${suffix}`, spec: `@napi-rs/keyring-${suffix}@${version}` }));
}

function installed(projectDir, name, version) {
  const packageJson = join(projectDir, 'node_modules', name, 'package.json');
  return existsSync(packageJson) && readVersion(packageJson) === version;
}

export async function beforePack(context) {
  const projectDir = context.packager.projectDir;
  const arch = typeof context.arch === 'number' ? archNames[context.arch] : context.arch;
  const version = keyringVersion(projectDir);
  const missing = keyringPackages(context.electronPlatformName, arch, version).filter((p) => !installed(projectDir, p.name, version));
  if (missing.length === 0) return;
  const specs = missing.map((p) => p.spec);
  console.log(`  • before-pack: installing ${specs.join(' ')} for the ${arch} app (npm installed only this machine's binding)`);
  execFileSync('npm', ['install', '--no-save', '--force', '--ignore-scripts', '--no-audit', '--no-fund', ...specs], {
    cwd: projectDir,
    stdio: 'inherit',
  });
  const still = missing.filter((p) => !installed(projectDir, p.name, version));
  if (still.length > 0)
    throw new Error(`before-pack: ${still.map((p) => p.spec).join(', ')} did not install; the app could not reach the keyring`);
}

export default beforePack;
