// Builds the reference plugin's container image from local files only (no pulls): `docker import` of a root
// filesystem made of this machine's node binary, /bin/sh, the shared libraries they load, and the built package at the same
// absolute path, so the generated launcher (which imports the compiled plugin by absolute path) works inside.
// The tag is a hash of the inputs: an unchanged build reuses the image, a changed one gets a new tag.
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../src/protocol/load.js';

const ROOT = packageRoot();
const IMAGE_REPOSITORY = 'plugin-conformance-test/reference-plugin';
/** What the compiled reference plugin imports at run time (their dependencies are added transitively). */
const RUNTIME_PACKAGES = ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'yaml'];
const SKIPPED_FILES = /\.(map|d\.ts|d\.mts|d\.cts|md|markdown|ts)$|(^|\/)(LICENSE|CHANGELOG|README)[^/]*$/i;

export interface BuiltImage {
  image: string;
  /** False when an image with the same inputs already existed. */
  built: boolean;
  elapsedMs: number;
  /** Bytes of the imported root filesystem. */
  bytes: number;
}

/** The reference plugin's image, built if no image with the same inputs exists. */
export async function referencePluginImage(): Promise<BuiltImage> {
  const started = Date.now();
  const files = imageFiles();
  const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
  const image = `${IMAGE_REPOSITORY}:${inputsHash(files)}`;
  const inspect = await execa('docker', ['image', 'inspect', image], { reject: false });
  if (inspect.exitCode === 0) return { image, built: false, elapsedMs: Date.now() - started, bytes };
  const list = path.join(os.tmpdir(), `pc-image-files-${process.pid}.txt`);
  // tar reads paths relative to / so each file lands at its absolute host path; `tmp` gives node a temp folder.
  writeFileSync(list, ['tmp', ...files.map((f) => f.slice(1))].join('\n') + '\n');
  const entrypoint = JSON.stringify([realpathSync(process.execPath), path.join(ROOT, 'fixtures', 'plugins', 'reference', 'bin', 'reference-plugin')]);
  await execa('bash', ['-o', 'pipefail', '-c', 'tar -C / --create --dereference --no-recursion --files-from "$1" | docker import --change "$2" - "$3"', 'sh', list, `ENTRYPOINT ${entrypoint}`, image]);
  await removeOtherTags(image);
  return { image, built: true, elapsedMs: Date.now() - started, bytes };
}

/** Absolute paths of every file the image holds. */
function imageFiles(): string[] {
  const node = realpathSync(process.execPath);
  // /bin/sh: tools installed through InstallTool are scripts, as with piped (`/bin/sh -c`).
  const files = new Set<string>([node, ...sharedLibraries(node), '/bin/sh', ...sharedLibraries('/bin/sh')]);
  for (const file of ['package.json', path.join('fixtures', 'plugins', 'reference', 'bin', 'reference-plugin')]) files.add(path.join(ROOT, file));
  for (const dir of ['proto', path.join('dist', 'src'), path.join('dist', 'fixtures', 'plugins', 'reference')]) walk(path.join(ROOT, dir), files);
  for (const pkg of runtimePackageDirs()) walk(pkg, files);
  return [...files].sort();
}

/** The loader and libraries `ldd` reports for the node binary. */
function sharedLibraries(binary: string): string[] {
  return [...execFileSync('ldd', [binary], { encoding: 'utf8' }).matchAll(/(\/\S+) \(0x/g)].map((m) => m[1]);
}

/** node_modules folders of the runtime packages and everything they depend on (no dev or type packages). */
function runtimePackageDirs(): string[] {
  const seen = new Map<string, string>();
  const queue = [...RUNTIME_PACKAGES];
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name) || name.startsWith('@types/')) continue;
    const dir = path.join(ROOT, 'node_modules', name);
    seen.set(name, dir);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    queue.push(...Object.keys(manifest.dependencies ?? {}));
  }
  return [...seen.values()];
}

function walk(dir: string, into: Set<string>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      walk(full, into);
    } else if (!SKIPPED_FILES.test(full) || full.endsWith('package.json')) {
      into.add(full);
    }
  }
}

/** Hash of the inputs: contents, except for big files (the node binary) where size and mtime stand in. */
function inputsHash(files: string[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    const stat = statSync(file);
    hash.update(`${file}\0${stat.size}\0`);
    hash.update(stat.size > 4 * 1024 * 1024 ? String(stat.mtimeMs) : readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Removes older builds of the test image (other tags), so the engine keeps one. */
async function removeOtherTags(keep: string): Promise<void> {
  const { stdout } = await execa('docker', ['image', 'ls', IMAGE_REPOSITORY, '--format', '{{.Repository}}:{{.Tag}}'], { reject: false });
  const stale = stdout.split('\n').filter((name) => name && name !== keep);
  if (stale.length) await execa('docker', ['image', 'rm', ...stale], { reject: false });
}
