// The 13 PluginService methods over the stores: request in, response out, RpcError for piped's error statuses.
import * as grpc from '@grpc/grpc-js';
import type { ToolInstaller } from './install-tool.js';
import { RpcError } from './status.js';
import type { CommandStore, MetadataStores, SharedObjectStore, StageLogStore } from './stores.js';

export interface HostState {
  metadata: MetadataStores;
  logs: StageLogStore;
  commands: CommandStore;
  objects: SharedObjectStore;
  tools: ToolInstaller;
}

export type Handler = (request: any) => unknown;

/** Logs go to the control plane, which knows only deployments the harness created (opened at least once). */
function appendLogs(state: HostState, request: any, seal: boolean): object {
  if (!state.metadata.isKnown(request.deployment_id)) {
    throw new RpcError(grpc.status.NOT_FOUND, `deployment ${request.deployment_id} not found`);
  }
  state.logs.append(request.deployment_id, request.stage_id, Number(request.retried_count ?? 0), request.blocks ?? [], seal);
  return {};
}

export function pluginServiceHandlers(state: HostState): Record<string, Handler> {
  const { metadata, commands, objects, tools } = state;
  return {
    InstallTool: async (r) => ({ installed_path: await tools.install(r.name, r.version, r.install_script) }),
    ReportStageLogs: (r) => appendLogs(state, r, false),
    ReportStageLogsFromLastCheckpoint: (r) => appendLogs(state, r, Boolean(r.completed)),

    GetStageMetadata: (r) => metadata.getStage(r.deployment_id, r.stage_id, r.key),
    PutStageMetadata: (r) => (metadata.putStage(r.deployment_id, r.stage_id, { [r.key]: r.value }), {}),
    PutStageMetadataMulti: (r) => (metadata.putStage(r.deployment_id, r.stage_id, r.metadata ?? {}), {}),

    GetDeploymentPluginMetadata: (r) => metadata.getPlugin(r.deployment_id, r.plugin_name ?? '', r.key),
    PutDeploymentPluginMetadata: (r) => (metadata.putPlugin(r.deployment_id, r.plugin_name, { [r.key]: r.value }), {}),
    PutDeploymentPluginMetadataMulti: (r) => (metadata.putPlugin(r.deployment_id, r.plugin_name, r.metadata ?? {}), {}),
    GetDeploymentSharedMetadata: (r) => metadata.getShared(r.deployment_id, r.key),

    ListStageCommands: (r) => ({ commands: commands.list(r.deployment_id, r.stage_id) }),

    GetApplicationSharedObject: (r) => ({ object: objects.get(r.application_id, r.plugin_name, r.key) }),
    PutApplicationSharedObject: (r) => (objects.put(r.application_id, r.plugin_name, r.key, r.object), {}),
  };
}
