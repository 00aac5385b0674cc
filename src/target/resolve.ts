// Turns the user's target into something the suites can launch, failing early with a message that says what to fix:
// a local executable or folder, a piped-style URL (file://, https://, oci://: fetched here, once per run), a
// container image (docker:<image> or --container), or a running plugin (--address).
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SetupError, UsageError } from '../errors.js';
import { AddressLauncher, ATTACHED_URL, parseAddress } from './address.js';
import { BinaryLauncher } from './binary.js';
import { ContainerLauncher, dockerClient, ensureImage, removeOrphanContainers, runLabels } from './container.js';
import { parseOciUrl } from './oci.js';
import type { RegistryCredentials } from './registry-auth.js';
import type { Launcher, TargetSpec } from './types.js';
import { fetchPlugin, isFetchedUrl } from './url.js';

/** What the user asked to test, straight from the command line. */
export interface TargetRequest {
  /** The positional argument: a path, a URL, or docker:<image>. */
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
}

const DOCKER_PREFIX = 'docker:';

/** Checks the combination of target options; returns a one-line description of the target kind. */
export function checkTargetRequest(request: TargetRequest): void {
  const given = [request.target && 'a plugin argument', request.container && '--container', request.address && '--address'].filter(Boolean);
  if (given.length === 0) throw new UsageError('no plugin given. Usage: plugin-conformance [options] <plugin> (see --help)');
  if (given.length > 1) throw new UsageError(`give exactly one of <plugin>, --container IMAGE or --address HOST:PORT (got ${given.join(' and ')})`);
  if (request.address) parseAddress(request.address);
  if (request.pull && !containerImage(request)) throw new UsageError('--pull only applies to container images (docker:<image> or --container IMAGE)');
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

/** Resolves the target: fetches URLs, checks images and engines. Throws UsageError/SetupError with the fix. */
export async function prepareTarget(request: TargetRequest, pluginName: string, cwd = process.cwd()): Promise<TargetSpec> {
  checkTargetRequest(request);
  if (request.address) return { kind: 'address', address: request.address, port: parseAddress(request.address).port, url: ATTACHED_URL };
  const image = containerImage(request);
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
  const local = resolveLocal(target, cwd);
  return { kind: 'binary', executable: local.executable, url: local.url };
}

/** The launcher for a prepared target (the suites' worker calls this with the spec the CLI sent). */
export function launcherFor(spec: TargetSpec): Launcher {
  switch (spec.kind) {
    case 'binary':
      return new BinaryLauncher(spec.executable, { url: spec.url });
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
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('/')) {
    throw new SetupError(
      `target ${target}: unknown kind of plugin. Pass a path, a file://, https:// or oci:// URL, docker:<image>, or --address host:port.`,
    );
  }
  const executable = checkExecutable(path.resolve(cwd, target), target);
  return { executable, url: new BinaryLauncher(executable).url };
}

function checkExecutable(file: string, shown: string): string {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    throw new SetupError(`plugin not found: ${shown} (looked at ${file}). Pass the path of the plugin executable.`);
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
