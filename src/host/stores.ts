// The state piped keeps behind PluginService, with piped's semantics (CATALOGUE §3.3–§3.7, §3.10). Stores throw
// RpcError for the statuses piped answers; the server turns those into gRPC statuses.
import * as grpc from '@grpc/grpc-js';
import { RpcError } from './status.js';
import type { StageLog } from './types.js';

type KeyValues = Map<string, string>;

/** What a Get of one metadata key answers: piped's `{value, found}`. */
export interface Lookup {
  value: string;
  found: boolean;
}

function lookup(values: KeyValues | undefined, key: string): Lookup {
  const value = values?.get(key);
  return value === undefined ? { value: '', found: false } : { value, found: true };
}

/** Copies `seed` into `target` except for keys already stored: what this host stored is newer than any snapshot. */
function seedMissing(target: KeyValues, seed: unknown): void {
  for (const [key, value] of Object.entries((seed ?? {}) as Record<string, unknown>)) {
    if (!target.has(key)) target.set(key, String(value ?? ''));
  }
}

function mergeInto(target: KeyValues, entries: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(entries)) target.set(key, String(value ?? ''));
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create()));
  return value;
}

interface DeploymentMetadata {
  /** True while piped would be planning or executing the deployment; metadata RPCs need it. */
  open: boolean;
  stages: Map<string, KeyValues>;
  plugins: Map<string, KeyValues>;
  shared: KeyValues;
}

/** Stage, plugin and shared metadata per deployment, reachable only while the deployment's window is open. */
export class MetadataStores {
  private readonly deployments = new Map<string, DeploymentMetadata>();

  /**
   * Opens (or re-opens) a deployment's window, seeding from the Deployment message (`stages[].metadata`,
   * `metadata_v2.plugins[name].keyValues`, `metadata_v2.shared.keyValues`). Values stored earlier win over the seed,
   * so a resumed stage reads back what it wrote.
   */
  open(deployment: any): string {
    const id = deployment?.id;
    if (typeof id !== 'string' || id === '') throw new Error('openDeployment: the deployment needs a non-empty id');
    const store = getOrCreate(this.deployments, id, () => ({ open: false, stages: new Map(), plugins: new Map(), shared: new Map() }));
    for (const stage of (deployment.stages ?? []) as any[]) {
      if (typeof stage?.id === 'string' && stage.id !== '') seedMissing(getOrCreate(store.stages, stage.id, () => new Map()), stage.metadata);
    }
    const metadata = deployment.metadata_v2 ?? {};
    for (const [plugin, values] of Object.entries((metadata.plugins ?? {}) as Record<string, any>)) {
      seedMissing(getOrCreate(store.plugins, plugin, () => new Map()), values?.keyValues);
    }
    seedMissing(store.shared, metadata.shared?.keyValues);
    store.open = true;
    return id;
  }

  close(deploymentId: string): void {
    const store = this.deployments.get(deploymentId);
    if (store) store.open = false;
  }

  /** Was this deployment ever opened? The fake's stand-in for "the control plane knows it". */
  isKnown(deploymentId: string): boolean {
    return this.deployments.has(deploymentId);
  }

  getStage(deploymentId: string, stageId: string, key: string): Lookup {
    return lookup(this.openStore(deploymentId).stages.get(stageId), key);
  }

  /** Put merges into the stage's map; it never replaces it. */
  putStage(deploymentId: string, stageId: string, entries: Record<string, unknown>): void {
    mergeInto(getOrCreate(this.openStore(deploymentId).stages, stageId, () => new Map()), entries);
  }

  /** An empty `pluginName` is allowed: piped does not validate it on Get, so it reads the "" namespace. */
  getPlugin(deploymentId: string, pluginName: string, key: string): Lookup {
    return lookup(this.openStore(deploymentId).plugins.get(pluginName), key);
  }

  putPlugin(deploymentId: string, pluginName: string, entries: Record<string, unknown>): void {
    mergeInto(getOrCreate(this.openStore(deploymentId).plugins, pluginName, () => new Map()), entries);
  }

  getShared(deploymentId: string, key: string): Lookup {
    return lookup(this.openStore(deploymentId).shared, key);
  }

  /** Inspection for suites; works whether or not the window is open. */
  stageSnapshot(deploymentId: string, stageId: string): Record<string, string> {
    return Object.fromEntries(this.deployments.get(deploymentId)?.stages.get(stageId) ?? []);
  }

  pluginSnapshot(deploymentId: string, pluginName: string): Record<string, string> {
    return Object.fromEntries(this.deployments.get(deploymentId)?.plugins.get(pluginName) ?? []);
  }

  private openStore(deploymentId: string): DeploymentMetadata {
    const store = this.deployments.get(deploymentId);
    // piped's registry has no entry outside the window and returns a plain Go error, which gRPC sends as UNKNOWN.
    if (!store?.open) throw new RpcError(grpc.status.UNKNOWN, `metadata store not found for deployment ${deploymentId}`);
    return store;
  }
}

function blockIndex(block: any): bigint {
  try {
    return BigInt(String(block?.index ?? 0));
  } catch {
    return 0n;
  }
}

/** Stage logs per (deployment, stage, retried_count) as the control plane's stagelogstore keeps them. */
export class StageLogStore {
  private readonly logs = new Map<string, StageLog>();

  /**
   * Appends blocks, keeping the first block seen for each index and the log sorted by index. A sealed log refuses
   * every append; `seal` (a checkpoint with completed=true) stores its own blocks first, then seals.
   */
  append(deploymentId: string, stageId: string, retriedCount: number, blocks: any[], seal: boolean): void {
    const log = getOrCreate(this.logs, this.key(deploymentId, stageId, retriedCount), () => ({
      deploymentId, stageId, retriedCount, blocks: [], completed: false,
    }));
    if (log.completed) {
      throw new RpcError(grpc.status.FAILED_PRECONDITION,
        `stage was already completed (deployment ${deploymentId}, stage ${stageId}, retried_count ${retriedCount})`);
    }
    const seen = new Set(log.blocks.map(blockIndex));
    for (const block of blocks) {
      const index = blockIndex(block);
      if (seen.has(index)) continue;
      seen.add(index);
      log.blocks.push(block);
    }
    log.blocks.sort((a, b) => { const x = blockIndex(a), y = blockIndex(b); return x < y ? -1 : x > y ? 1 : 0; });
    if (seal) log.completed = true;
  }

  get(deploymentId: string, stageId: string, retriedCount: number): StageLog | undefined {
    const log = this.logs.get(this.key(deploymentId, stageId, retriedCount));
    return log && { ...log, blocks: [...log.blocks] };
  }

  private key(deploymentId: string, stageId: string, retriedCount: number): string {
    return JSON.stringify([deploymentId, stageId, retriedCount]);
  }
}

/** Unhandled stage commands, returned whole on every ListStageCommands until the harness clears them. */
export class CommandStore {
  private readonly commands = new Map<string, any[]>();

  set(deploymentId: string, stageId: string, commands: any[]): void {
    this.commands.set(JSON.stringify([deploymentId, stageId]), [...commands]);
  }

  clear(deploymentId: string, stageId: string): void {
    this.commands.delete(JSON.stringify([deploymentId, stageId]));
  }

  /** An unknown pair is an empty list, never an error. */
  list(deploymentId: string, stageId: string): any[] {
    return this.commands.get(JSON.stringify([deploymentId, stageId])) ?? [];
  }
}

/** Application shared objects per (application, plugin, key); they outlive deployments. */
export class SharedObjectStore {
  private readonly objects = new Map<string, Buffer>();

  get(applicationId: string, pluginName: string, key: string): Buffer {
    const object = this.peek(applicationId, pluginName, key);
    // The SDK maps NOT_FOUND to found=false, so absence must be exactly this code.
    if (!object) throw new RpcError(grpc.status.NOT_FOUND, `shared object ${key} of plugin ${pluginName} for application ${applicationId} not found`);
    return object;
  }

  peek(applicationId: string, pluginName: string, key: string): Buffer | undefined {
    const object = this.objects.get(JSON.stringify([applicationId, pluginName, key]));
    return object && Buffer.from(object);
  }

  put(applicationId: string, pluginName: string, key: string, object: Uint8Array | undefined): void {
    this.objects.set(JSON.stringify([applicationId, pluginName, key]), Buffer.from(object ?? []));
  }
}
