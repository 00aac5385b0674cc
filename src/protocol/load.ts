// Loads the wire schema in proto/ once: grpc-js service definitions for calls, and a protobufjs Root for the
// `(validate.rules)` options that proto-loader drops.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

/** How every message crosses into JavaScript: snake_case names, int64 as decimal strings, enums by name. */
export const LOAD_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

export const SERVICE_FILES = [
  'pkg/plugin/api/v1alpha1/deployment/api.proto',
  'pkg/plugin/api/v1alpha1/livestate/api.proto',
  'pkg/plugin/api/v1alpha1/planpreview/api.proto',
  'pkg/plugin/pipedservice/service.proto',
] as const;

export const SERVICE_NAMES = {
  deployment: 'grpc.plugin.deploymentapi.v1alpha1.DeploymentService',
  livestate: 'grpc.plugin.livestateapi.v1alpha1.LivestateService',
  planPreview: 'grpc.plugin.planpreviewapi.v1alpha1.PlanPreviewService',
  pluginService: 'grpc.piped.service.PluginService',
} as const;
export type ServiceKey = keyof typeof SERVICE_NAMES;

export interface Protocol {
  protoRoot: string;
  /** grpc-js client constructors, one per service. */
  clients: Record<ServiceKey, grpc.ServiceClientConstructor>;
  /** Method definitions (paths, request/response types) per service. */
  services: Record<ServiceKey, grpc.ServiceDefinition>;
  /** protobufjs view of the same files: field options, enums, nested types. */
  root: protobuf.Root;
}

/** The package's own root folder (holds package.json and proto/), found from this file's location. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'plugin-conformance') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the plugin-conformance package root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** Where protoc-gen-validate's validate.proto lives: grpc-js ships it, so we never write our own. */
export function validateIncludeDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@grpc/grpc-js/package.json')), 'proto', 'protoc-gen-validate');
}

const cache = new Map<string, Protocol>();

/** Loads (once per proto root) the services the harness speaks. `protoRoot` defaults to the bundled proto/. */
export function loadProtocol(protoRoot = path.join(packageRoot(), 'proto')): Protocol {
  const cached = cache.get(protoRoot);
  if (cached) return cached;
  const includeDirs = [protoRoot, validateIncludeDir()];
  for (const file of SERVICE_FILES) {
    if (!existsSync(path.join(protoRoot, file))) {
      throw new Error(`proto file ${file} not found under ${protoRoot}; --proto-root must point at a folder holding pkg/… as in pipecd`);
    }
  }
  const definition = protoLoader.loadSync([...SERVICE_FILES], { ...LOAD_OPTIONS, includeDirs });
  const grpcObject = grpc.loadPackageDefinition(definition);
  const clients = {} as Record<ServiceKey, grpc.ServiceClientConstructor>;
  const services = {} as Record<ServiceKey, grpc.ServiceDefinition>;
  for (const [key, fullName] of Object.entries(SERVICE_NAMES) as [ServiceKey, string][]) {
    const ctor = fullName.split('.').reduce<any>((obj, part) => obj?.[part], grpcObject) as grpc.ServiceClientConstructor;
    if (!ctor?.service) throw new Error(`service ${fullName} is missing from ${protoRoot}`);
    clients[key] = ctor;
    services[key] = ctor.service;
  }
  const protocol: Protocol = { protoRoot, clients, services, root: loadOptionsRoot(includeDirs) };
  cache.set(protoRoot, protocol);
  return protocol;
}

/**
 * protobufjs Root with parsed field options. proto-loader is imported above, which registers descriptor.proto.
 * `files` defaults to the services the harness speaks (tests load small protos of their own).
 */
export function loadOptionsRoot(includeDirs: string[], files: readonly string[] = SERVICE_FILES): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (path.isAbsolute(target)) return target;
    for (const dir of includeDirs) {
      const candidate = path.join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return target;
  };
  root.loadSync([...files], { keepCase: true, alternateCommentMode: false });
  root.resolveAll();
  return root;
}

/** The request and response type names of a method, e.g. ('deployment', 'ExecuteStage'). */
export function methodTypes(protocol: Protocol, service: ServiceKey, method: string): { request: string; response: string } {
  const svc = protocol.root.lookupService(SERVICE_NAMES[service]);
  const m = svc.methods[method];
  if (!m) throw new Error(`${SERVICE_NAMES[service]} has no method ${method}`);
  m.resolve();
  return { request: m.resolvedRequestType!.fullName.slice(1), response: m.resolvedResponseType!.fullName.slice(1) };
}
