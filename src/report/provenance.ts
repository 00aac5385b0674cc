// Where a results.json came from, so a verdict can be traced and reproduced: the harness version, the catalogue
// edition, the pipecd revision the protos mirror, the exact plugin bytes (sha256, or the image digest from the
// engine), the seed and the options. results.json is public (CI artifacts, job summaries): no secrets, so
// --registry-auth values and URL userinfo never appear.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CATALOGUE_EDITION } from '../contract/rules.js';
import { packageRoot, SERVICE_FILES } from '../protocol/load.js';
import type { RunOptions } from '../run.js';
import type { TargetSpec } from '../launch/types.js';

/** Version of the results.json format (schemas/results.schema.json); raised when a field changes meaning or goes. */
export const RESULTS_SCHEMA_VERSION = 1;

/** The Go module whose protos proto/ mirrors. */
export const PROTOCOL_MODULE = 'github.com/pipe-cd/pipecd';

export interface ProtocolRevision {
  module: typeof PROTOCOL_MODULE;
  /** The module version every proto file's first line names; null when the files do not say or disagree. */
  version: string | null;
  /** The pipecd commit: the 12-hex-digit suffix of a Go pseudo-version; null for a release tag or no version. */
  commit: string | null;
  /** Only with --proto-root: the folder the protos were loaded from instead of the bundled ones. */
  protoRoot?: string;
}

/** The plugin that was judged, identified by content where the harness can see it. */
export type PluginIdentity =
  | { kind: 'binary'; executable: string; /** `sha256:<hex>` of the executable; null when it could not be read. */ sha256: string | null }
  | {
      kind: 'container';
      image: string;
      /** The engine's image id (`sha256:` of the image config); null when the engine did not answer. */
      imageId: string | null;
      /** The registry digest (`sha256:…` of the manifest) from the engine's RepoDigests; null for an image never pushed or pulled. */
      digest: string | null;
      repoDigests: string[];
    }
  | { kind: 'address'; address: string };

/** The options of the run as results.json shows them: what the user chose plus the effective defaults, no secrets. */
export interface PublicOptions {
  target?: string;
  container?: string;
  address?: string;
  hostPort?: number;
  pull: boolean;
  caCertFile?: string;
  configFile?: string;
  apps: string[];
  allowNotExercised: boolean;
  name?: string;
  outDir: string;
  only: string[];
  skip: string[];
  readyTimeoutMs: number;
  graceMs: number;
  strict: boolean;
  protoRoot?: string;
  tools: { name: string; version?: string; path: string }[];
  properties: { seed?: number; runs?: number; timeLimitMs?: number; replay?: string; replayFile: boolean; saveFailuresDir?: string };
  /** The pinned rules edition (default: the current one). */
  rulesEdition: number;
  release: boolean;
  expectVersion?: string;
}

export interface Provenance {
  harness: { name: 'plugin-conformance'; version: string };
  catalogueEdition: number;
  protocol: ProtocolRevision;
  plugin: PluginIdentity;
  /** The seed of the generated cases (the one drawn when --seed was not given). */
  seed: number | null;
  options: PublicOptions;
}

/** Removes `user[:password]@` from every URL in `text` (a plugin URL may carry credentials). */
export function withoutUserinfo(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi, '$1');
}

/** The harness's own version, from its package.json. */
export function harnessVersion(root = packageRoot()): string {
  return JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
}

/**
 * The pipecd revision the protos mirror, read from the first line of each service proto
 * (`// Wire schema mirrored from pipe-cd/pipecd … (module version v0.54.0-rc1.0.20250912082650-0b949bb7aac9).`).
 */
export function protocolRevision(protoRoot?: string): ProtocolRevision {
  const root = protoRoot ?? path.join(packageRoot(), 'proto');
  const versions = new Set<string | undefined>();
  for (const file of SERVICE_FILES) {
    let first = '';
    try {
      first = readFileSync(path.join(root, file), 'utf8').split('\n', 1)[0];
    } catch {
      // a --proto-root without this file: its version is unknown
    }
    versions.add(/\(module version (v[^\s)]+)\)/.exec(first)?.[1]);
  }
  const version = versions.size === 1 ? ([...versions][0] ?? null) : null;
  const commit = version ? (/[.-]\d{14}-([0-9a-f]{12})$/.exec(version)?.[1] ?? null) : null;
  return { module: PROTOCOL_MODULE, version, commit, ...(protoRoot ? { protoRoot } : {}) };
}

/** `sha256:<hex>` of a file, or null when it cannot be read. */
export function fileSha256(file: string): string | null {
  try {
    return `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
  } catch {
    return null;
  }
}

/** What the engine knows of an image: its id and registry digests (empty when there is no engine or no image). */
export type ImageInspector = (image: string) => Promise<{ Id?: string; RepoDigests?: string[] } | undefined>;

/** Asks the container engine the harness uses (src/launch/container.ts). */
export const inspectImage: ImageInspector = async (image) => {
  try {
    const { dockerClient } = await import('../launch/container.js');
    const client = await dockerClient();
    return (await client.container.dockerode.getImage(image).inspect()) as { Id?: string; RepoDigests?: string[] };
  } catch {
    return undefined;
  }
};

/** The plugin's identity: the executable's sha256, or the image's digest from the engine, or the attached address. */
export async function pluginIdentity(target: TargetSpec, inspect: ImageInspector = inspectImage): Promise<PluginIdentity> {
  if (target.kind === 'binary') return { kind: 'binary', executable: target.executable, sha256: fileSha256(target.executable) };
  if (target.kind === 'address') return { kind: 'address', address: target.address };
  const found = await inspect(target.image);
  const repoDigests = found?.RepoDigests ?? [];
  const digest = repoDigests.map((d) => /@(sha256:[a-f0-9]{64})$/.exec(d)?.[1]).find(Boolean) ?? null;
  return { kind: 'container', image: target.image, imageId: found?.Id ?? null, digest, repoDigests };
}

/** The run's options for results.json: credentials dropped, URL userinfo removed, defaults filled in. */
export function publicOptions(options: RunOptions): PublicOptions {
  const p = options.properties ?? {};
  const optional = <T>(key: string, value: T | undefined) => (value === undefined ? {} : { [key]: value });
  return {
    ...optional('target', options.target === undefined ? undefined : withoutUserinfo(options.target)),
    ...optional('container', options.container),
    ...optional('address', options.address),
    ...optional('hostPort', options.hostPort),
    pull: options.pull === true,
    ...optional('caCertFile', options.caCertFile),
    ...optional('configFile', options.configFile),
    apps: options.apps ?? [],
    allowNotExercised: options.allowNotExercised === true,
    ...optional('name', options.name),
    outDir: options.outDir,
    only: options.only,
    skip: options.skip,
    readyTimeoutMs: options.readyTimeoutMs,
    graceMs: options.graceMs,
    strict: options.strict === true,
    ...optional('protoRoot', options.protoRoot),
    tools: (options.tools ?? []).map((t) => ({ name: t.name, ...optional('version', t.version), path: t.path })),
    properties: {
      ...optional('seed', p.seed),
      ...optional('runs', p.runs),
      ...optional('timeLimitMs', p.timeLimitMs),
      ...optional('replay', p.replay ? `${p.replay.property}:${p.replay.path}` : undefined),
      replayFile: p.replayCase !== undefined,
      ...optional('saveFailuresDir', p.saveFailuresDir),
    },
    rulesEdition: options.rulesEdition ?? CATALOGUE_EDITION,
    release: options.release === true || options.expectVersion !== undefined,
    ...optional('expectVersion', options.expectVersion),
  };
}

/** Everything results.json says about where it came from. */
export async function provenanceOf(options: RunOptions, target: TargetSpec, seed: number | undefined, inspect?: ImageInspector): Promise<Provenance> {
  return {
    harness: { name: 'plugin-conformance', version: harnessVersion() },
    catalogueEdition: CATALOGUE_EDITION,
    protocol: protocolRevision(options.protoRoot),
    plugin: await pluginIdentity(target, inspect),
    seed: seed ?? null,
    options: publicOptions(options),
  };
}
