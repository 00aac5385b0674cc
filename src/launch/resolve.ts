// Turns the user's target into something the suites can launch, failing early with a message that says what to fix:
// a local executable or folder, a piped-style URL (file://, https://, oci://: fetched here, once per run), a
// container image (docker:<image>, --container, or a bare reference such as ghcr.io/me/p:v1 that is not a path here:
// see image-ref.ts), or a running plugin (--address).
import type { ContainerRuntimeClient } from 'testcontainers';
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SetupError, UsageError } from '../errors.js';
import { AddressLauncher, ATTACHED_URL, parseAddress } from './address.js';
import { BinaryLauncher } from './binary.js';
import { ContainerLauncher, dockerClient, ensureImage, removeOrphanContainers, runLabels } from './container.js';
import { DOCKER_PREFIX, hasExplicitKind, parseImageReference, readPluginArgument, whyNotAnImage, type ImageReference, type TargetFacts } from './image-ref.js';
import { parseOciUrl } from './oci.js';
import type { RegistryCredentials } from './registry-auth.js';
import type { Launcher, TargetSpec } from './types.js';
import { fetchPlugin, isFetchedUrl } from './url.js';

/** What the user asked to test, straight from the command line. */
export interface TargetRequest {
  /** The positional argument: a path, a URL, docker:<image>, or a bare image reference. */
  target?: string;
  /** --container <image> */
  container?: string;
  /** --address host:port */
  address?: string;
  /** --pull: allow pulling a container image that is not local. */
  pull?: boolean;
  /** --ca-cert FILE for https:// and oci:// */
  caCertFile?: string;
  /** --registry-auth for oci:// */
  registryAuth?: RegistryCredentials;
  /** Labels containers of this run (see container.ts). */
  runId: string;
  /** Prints the line that says how a bare <plugin> was read (default: console.log). */
  notify?: (line: string) => void;
}

/** Checks the combination of target options; returns a one-line description of the target kind. */
export function checkTargetRequest(request: TargetRequest): void {
  const given = [request.target && 'a plugin argument', request.container && '--container', request.address && '--address'].filter(Boolean);
  if (given.length === 0) throw new UsageError('no plugin given. Usage: plugin-conformance [options] <plugin> (see --help)');
  if (given.length > 1) throw new UsageError(`give exactly one of <plugin>, --container IMAGE or --address HOST:PORT (got ${given.join(' and ')})`);
  if (request.address) parseAddress(request.address);
  if (request.pull && !containerImage(request) && !(request.target && !hasExplicitKind(request.target) && parseImageReference(request.target).ok)) {
    throw new UsageError('--pull only applies to container images (docker:<image>, --container IMAGE or an image reference)');
  }
}

/** The container image the request names, if any. */
export function containerImage(request: TargetRequest): string | undefined {
  if (request.container) return request.container;
  if (request.target?.startsWith(DOCKER_PREFIX)) {
    const image = request.target.slice(DOCKER_PREFIX.length).replace(/^\/\//, '');
    if (!image) throw new UsageError('docker: needs an image, e.g. docker:my/plugin:1.2.3');
    return image;
  }
  return undefined;
}

/** The plugin name piped would most likely use, when neither --name nor the config file gives one. */
export function defaultPluginName(request: TargetRequest, cwd = process.cwd()): string {
  const image = containerImage(request);
  if (image) return lastSegment(image.replace(/@.*$/, '').replace(/:[^/]*$/, ''));
  if (request.address || !request.target) return 'plugin';
  const target = request.target;
  const bare = bareImageReference(target, cwd);
  if (bare) return lastSegment(bare.path);
  if (target.toLowerCase().startsWith('oci://')) return lastSegment(parseOciUrl(target).repository);
  if (/^https?:\/\//i.test(target)) {
    if (!URL.canParse(target)) throw new UsageError(`${target} is not a valid URL`);
    return lastSegment(new URL(target).pathname) || 'plugin';
  }
  return path.basename(resolveLocal(target, cwd).executable);
}

function lastSegment(text: string): string {
  return text.split('/').filter(Boolean).pop() ?? text;
}

/** A positional argument that is not written as a URL or docker:, is no file or folder here, and parses as an image reference. */
function bareImageReference(target: string, cwd: string): ImageReference | undefined {
  if (hasExplicitKind(target) || existsSync(path.resolve(cwd, target))) return undefined;
  const parsed = parseImageReference(target);
  return parsed.ok ? parsed.ref : undefined;
}

/**
 * The image a bare positional <plugin> names, when it is read as one (readPluginArgument decides; this gathers the
 * facts, asking the engine only for an ambiguous reference); prints which reading was taken. Undefined: read it as a path.
 */
async function imageReadingOf(request: TargetRequest, cwd: string): Promise<string | undefined> {
  const target = request.target;
  if (!target) return undefined;
  const facts: TargetFacts = { pathExists: existsSync(path.resolve(cwd, target)) };
  let reading = readPluginArgument(target, facts);
  if (reading.reading === 'ask-engine') {
    let client: ContainerRuntimeClient | undefined;
    try {
      client = await dockerClient();
    } catch (error) {
      if (!(error instanceof SetupError)) throw error;
      facts.engineAvailable = false;
      facts.engineProblem = error.message;
    }
    if (client) {
      facts.engineAvailable = true;
      facts.imageExistsLocally = await imageIsLocal(client, reading.image);
    }
    reading = readPluginArgument(target, facts);
  }
  switch (reading.reading) {
    case 'image':
      (request.notify ?? console.log)(`plugin-conformance: ${reading.notice}`);
      return reading.image;
    case 'refused':
      throw new UsageError(reading.message);
    case 'ask-engine':
      throw new Error(`the engine facts for ${target} did not decide its reading`);
    case 'as-written':
      return undefined;
  }
}

async function imageIsLocal(client: ContainerRuntimeClient, image: string): Promise<boolean> {
  const { ImageName } = await import('testcontainers');
  try {
    return await client.image.exists(ImageName.fromString(image));
  } catch (error) {
    throw new SetupError(`cannot ask the Docker engine for the image ${image}: ${(error as Error).message}`);
  }
}

/** Resolves the target: fetches URLs, checks images and engines. Throws UsageError/SetupError with the fix. */
export async function prepareTarget(request: TargetRequest, pluginName: string, cwd = process.cwd()): Promise<TargetSpec> {
  checkTargetRequest(request);
  if (request.address) return { kind: 'address', address: request.address, port: parseAddress(request.address).port, url: ATTACHED_URL };
  const image = containerImage(request) ?? (await imageReadingOf(request, cwd));
  if (image) {
    const client = await dockerClient();
    await removeOrphanContainers(client);
    await ensureImage(client, image, Boolean(request.pull));
    return { kind: 'container', image, labels: runLabels(request.runId) };
  }
  const target = request.target!;
  if (/^http:\/\//i.test(target)) {
    throw new SetupError(
      `${target}: piped downloads http:// URLs, but SDK plugins refuse to start when --config's url is not file://, https:// or oci:// ` +
        `(CATALOGUE §1.1). Serve the plugin over https (use --ca-cert FILE for a private CA), or download it and pass the file.`,
    );
  }
  if (isFetchedUrl(target)) {
    const executable = await fetchPlugin(target, { name: pluginName, caCertFile: request.caCertFile, registryAuth: request.registryAuth });
    return { kind: 'binary', executable, url: target };
  }
  if (request.pull) throw new UsageError(`--pull only applies to container images, and ${target} is a file or folder here: write ${DOCKER_PREFIX}${target} for the image`);
  const local = resolveLocal(target, cwd);
  return { kind: 'binary', executable: local.executable, url: local.url };
}

/** The launcher for a prepared target (the suites' worker calls this with the spec the CLI sent). */
export function launcherFor(spec: TargetSpec, options: { pidFile?: string; baseEnv?: Record<string, string | undefined> } = {}): Launcher {
  switch (spec.kind) {
    case 'binary':
      return new BinaryLauncher(spec.executable, { url: spec.url, pidFile: options.pidFile, baseEnv: options.baseEnv });
    case 'container':
      return new ContainerLauncher(spec.image, spec.labels);
    case 'address':
      return new AddressLauncher(spec.address);
  }
}

/** A launcher for a plugin executable, a `file://` URL, or a folder whose `bin/` holds exactly one executable. */
export function resolveTarget(target: string, cwd = process.cwd()): Launcher {
  const local = resolveLocal(target, cwd);
  return new BinaryLauncher(local.executable, { url: local.url });
}

function resolveLocal(target: string, cwd: string): { executable: string; url: string } {
  if (target.startsWith('file://')) {
    const executable = checkExecutable(fileURLToPath(target), target);
    return { executable, url: executable === fileURLToPath(target) ? target : new BinaryLauncher(executable).url };
  }
  const notAnImage = whyNotAnImage(target);
  const imageNote = notAnImage ? ` (As a container image reference it is not valid either: ${notAnImage}.)` : '';
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('/')) {
    throw new SetupError(
      `target ${target}: unknown kind of plugin. Pass a path, a file://, https:// or oci:// URL, docker:<image>, or --address host:port.${imageNote}`,
    );
  }
  const executable = checkExecutable(path.resolve(cwd, target), target, imageNote);
  return { executable, url: new BinaryLauncher(executable).url };
}

function checkExecutable(file: string, shown: string, imageNote = ''): string {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    throw new SetupError(`plugin not found: ${shown} (looked at ${file}). Pass the path of the plugin executable.${imageNote}`);
  }
  if (stat.isDirectory()) return executableInFolder(file, shown);
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new SetupError(`plugin is not executable: ${file}. Run \`chmod +x ${file}\` (piped makes downloaded plugins 0755).`);
  }
  return file;
}

/** A folder target: the single executable in `<dir>/bin/`. */
function executableInFolder(dir: string, shown: string): string {
  const binDir = path.join(dir, 'bin');
  let names: string[] = [];
  try {
    names = readdirSync(binDir).filter((name) => isExecutableFile(path.join(binDir, name)));
  } catch {
    // no bin/ folder: reported below
  }
  if (names.length === 1) return path.join(binDir, names[0]);
  const found = names.length === 0 ? 'none' : names.join(', ');
  throw new SetupError(`${shown} is a folder; expected exactly one executable in ${binDir} (found: ${found}). Pass the executable's path instead.`);
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
