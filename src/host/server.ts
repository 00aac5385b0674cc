// The fake piped's wiring: a grpc-js server whose every call goes validate → fault → handler → journal.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { methodTypes, type Protocol } from '../protocol/load.js';
import { describeViolations, validateMessage, type FieldViolation } from '../protocol/validate.js';
import { FaultPlan, type ChosenFault } from './faults.js';
import { pluginServiceHandlers, type Handler, type HostState } from './handlers.js';
import { ToolInstaller } from './install-tool.js';
import { Journal } from './journal.js';
import { FAKE_RECEIVE_LIMIT_BYTES, oversizedStatus, RequestSizes } from './sizes.js';
import { recordedStatus, statusOfError } from './status.js';
import { CommandStore, MetadataStores, SharedObjectStore, StageLogStore } from './stores.js';
import type {
  ArrivedCall, DeploymentWindow, FakePipedOptions, FaultRule, InstalledTool, JournalEntry, RecordedStatus, RunningHost, SeededTool, StageLog,
} from './types.js';

/** How long close() lets in-flight calls finish before cutting them off. */
const GRACEFUL_SHUTDOWN_MS = 500;

/** How one call was answered, before it is timed and journaled. */
interface Outcome {
  response?: unknown;
  status?: RecordedStatus;
  violations: FieldViolation[];
  fault?: string;
}

/** Waits that injected faults impose, all releasable at once when the host closes. */
class Pauses {
  private readonly releases = new Set<() => void>();
  private released = false;

  /** Resolves 'elapsed' after `ms` (never, when undefined), or 'released' once the host closes. */
  wait(ms: number | undefined): Promise<'elapsed' | 'released'> {
    if (this.released) return Promise.resolve('released');
    return new Promise((resolve) => {
      const release = () => { clearTimeout(timer); this.releases.delete(release); resolve('released'); };
      const timer = ms === undefined ? undefined : setTimeout(() => { this.releases.delete(release); resolve('elapsed'); }, ms);
      this.releases.add(release);
    });
  }

  releaseAll(): void {
    this.released = true;
    for (const release of [...this.releases]) release();
  }
}

/** Which case a call belongs to: the case that opened its deployment (or that deployment's application), else the current one. */
class CaseAttribution {
  current: string | undefined;
  private readonly byDeployment = new Map<string, string>();
  private readonly byApplication = new Map<string, string>();

  remember(deployment: any, caseId: string): void {
    this.byDeployment.set(deployment.id, caseId);
    if (typeof deployment.application_id === 'string' && deployment.application_id !== '') this.byApplication.set(deployment.application_id, caseId);
  }

  caseOf(request: any): string | undefined {
    return this.byDeployment.get(request?.deployment_id) ?? this.byApplication.get(request?.application_id) ?? this.current;
  }
}

const SHUTTING_DOWN = recordedStatus(grpc.status.UNAVAILABLE, 'fake piped is shutting down');

class FakePiped implements RunningHost {
  readonly address: string;
  private readonly journalLog = new Journal();
  private readonly attribution = new CaseAttribution();
  private readonly pauses = new Pauses();
  private readonly faults: FaultPlan;
  private readonly state: HostState;
  private readonly handlers: Record<string, Handler>;
  private readonly requestTypes: Record<string, string>;
  private readonly windows: DeploymentWindow[] = [];
  private readonly requestSizes = new RequestSizes();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly protocol: Protocol,
    private readonly server: grpc.Server,
    readonly port: number,
    readonly toolsDir: string,
    private readonly ownsToolsDir: boolean,
    seededTools: SeededTool[] = [],
  ) {
    this.address = `127.0.0.1:${port}`;
    const rpcs = Object.keys(protocol.services.pluginService);
    this.faults = new FaultPlan(rpcs);
    this.state = {
      metadata: new MetadataStores(), logs: new StageLogStore(), commands: new CommandStore(),
      objects: new SharedObjectStore(), tools: new ToolInstaller({ toolsDir, seeded: seededTools }),
    };
    this.handlers = pluginServiceHandlers(this.state);
    const missing = rpcs.filter((rpc) => !this.handlers[rpc]);
    if (missing.length) throw new Error(`fake piped has no handler for PluginService.${missing.join(', ')} (proto/ changed?)`);
    this.requestTypes = Object.fromEntries(rpcs.map((rpc) => [rpc, methodTypes(protocol, 'pluginService', rpc).request]));
  }

  /** The PluginService definition, with each request's encoded size noted as it is decoded (PROC-018). */
  serviceDefinition(): grpc.ServiceDefinition {
    return this.requestSizes.measure(this.protocol.services.pluginService);
  }

  /** grpc-js implementation object: one unary handler per PluginService method. */
  implementation(): grpc.UntypedServiceImplementation {
    return Object.fromEntries(Object.keys(this.requestTypes).map((rpc) => [rpc, this.unaryHandler(rpc)]));
  }

  private unaryHandler(rpc: string): grpc.handleUnaryCall<any, any> {
    return (call, callback) => {
      const started = performance.now();
      const arrived: ArrivedCall = {
        time: Date.now(), rpc, request: call.request, caseId: this.attribution.caseOf(call.request), metadataKeys: Object.keys(call.metadata.getMap()),
        requestBytes: this.requestSizes.of(call.request),
      };
      this.journalLog.arrive(arrived);
      void this.answer(rpc, call.request, arrived.requestBytes).then((outcome) => {
        // Journal first, so a caller that awaited the response always finds its entry.
        this.journalLog.record(arrived, {
          durationMs: performance.now() - started,
          ...(outcome.status ? { status: outcome.status } : { response: outcome.response }),
          violations: outcome.violations,
          fault: outcome.fault,
        });
        if (outcome.status) callback({ code: outcome.status.code, details: outcome.status.details });
        else callback(null, outcome.response);
      });
    };
  }

  /** Never rejects: every failure becomes a status, and unexpected ones are marked as harness errors. */
  private async answer(rpc: string, request: unknown, requestBytes: number | undefined): Promise<Outcome> {
    let violations: FieldViolation[] = [];
    let fault: ChosenFault | undefined;
    // piped's gRPC server refuses an oversized message before any interceptor or handler sees it.
    const tooLarge = oversizedStatus(requestBytes);
    if (tooLarge) return { violations, status: tooLarge };
    try {
      // Validation comes before faults: piped's PGV interceptor rejects an invalid request before any handler runs.
      violations = validateMessage(this.protocol.root, this.requestTypes[rpc], request);
      if (violations.length) {
        return { violations, status: recordedStatus(grpc.status.INVALID_ARGUMENT, `invalid request: ${describeViolations(violations)}`) };
      }
      fault = this.faults.pick(rpc, request);
      if (fault?.rule.kind === 'error') return { violations, fault: fault.label, status: recordedStatus(fault.code, fault.message) };
      if (fault) {
        const waited = await this.pauses.wait(fault.rule.kind === 'latency' ? fault.rule.delayMs : undefined);
        if (waited === 'released') return { violations, fault: fault.label, status: SHUTTING_DOWN };
      }
      const response = await this.handlers[rpc](request);
      // grpc-js would turn an unserialisable response into INTERNAL after we journaled OK; catch it here instead.
      this.protocol.services.pluginService[rpc].responseSerialize(response);
      return { violations, fault: fault?.label, response };
    } catch (error) {
      return { violations, fault: fault?.label, status: statusOfError(error) };
    }
  }

  journal(): readonly JournalEntry[] {
    return this.journalLog.all();
  }

  journalSince(seq: number): JournalEntry[] {
    return this.journalLog.since(seq);
  }

  lastSeq(): number {
    return this.journalLog.lastSeq();
  }

  waitFor(predicate: (entry: JournalEntry) => boolean, timeoutMs: number): Promise<JournalEntry | undefined> {
    return this.journalLog.waitFor(predicate, timeoutMs);
  }

  inFlight(): ArrivedCall[] {
    return this.journalLog.inFlight();
  }

  waitForArrival(predicate: (call: ArrivedCall) => boolean, timeoutMs: number): Promise<ArrivedCall | undefined> {
    return this.journalLog.waitForArrival(predicate, timeoutMs);
  }

  setCurrentCase(caseId: string | undefined): void {
    this.attribution.current = caseId;
  }

  openDeployment(deployment: any, caseId?: string): void {
    const deploymentId = this.state.metadata.open(deployment);
    if (caseId !== undefined) this.attribution.remember(deployment, caseId);
    const applicationId = typeof deployment.application_id === 'string' && deployment.application_id !== '' ? deployment.application_id : undefined;
    this.windows.push({ deploymentId, openedAt: Date.now(), ...(applicationId ? { applicationId } : {}), ...(caseId !== undefined ? { caseId } : {}) });
  }

  closeDeployment(deploymentId: string): void {
    this.state.metadata.close(deploymentId);
    const now = Date.now();
    for (const window of this.windows) if (window.deploymentId === deploymentId && window.closedAt === undefined) window.closedAt = now;
  }

  deploymentWindows(): DeploymentWindow[] {
    return this.windows.map((window) => ({ ...window }));
  }

  installedTools(): InstalledTool[] {
    return this.state.tools.installed();
  }

  setStageCommands(deploymentId: string, stageId: string, commands: any[]): void {
    this.state.commands.set(deploymentId, stageId, commands);
  }

  clearStageCommands(deploymentId: string, stageId: string): void {
    this.state.commands.clear(deploymentId, stageId);
  }

  stageLog(deploymentId: string, stageId: string, retriedCount = 0): StageLog | undefined {
    return this.state.logs.get(deploymentId, stageId, retriedCount);
  }

  stageMetadata(deploymentId: string, stageId: string): Record<string, string> {
    return this.state.metadata.stageSnapshot(deploymentId, stageId);
  }

  pluginMetadata(deploymentId: string, pluginName: string): Record<string, string> {
    return this.state.metadata.pluginSnapshot(deploymentId, pluginName);
  }

  sharedObject(applicationId: string, pluginName: string, key: string): Buffer | undefined {
    return this.state.objects.peek(applicationId, pluginName, key);
  }

  putSharedObject(applicationId: string, pluginName: string, key: string, object: Uint8Array): void {
    this.state.objects.put(applicationId, pluginName, key, object);
  }

  setFaults(rules: FaultRule[]): void {
    this.faults.set(rules);
  }

  close(): Promise<void> {
    return (this.closing ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    this.pauses.releaseAll();
    this.state.tools.killRunning();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.server.forceShutdown(); resolve(); }, GRACEFUL_SHUTDOWN_MS);
      this.server.tryShutdown(() => { clearTimeout(timer); resolve(); });
    });
    // After the server drained, so the released calls' entries reach waiters before they give up.
    this.journalLog.close();
    if (this.ownsToolsDir) await rm(this.toolsDir, { recursive: true, force: true });
  }
}

function bind(server: grpc.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
}

/** Starts a fake piped PluginService on loopback (plaintext, as piped serves it) and returns it listening. */
export async function startFakePiped(protocol: Protocol, options: FakePipedOptions = {}): Promise<RunningHost> {
  const ownsToolsDir = options.toolsDir === undefined;
  const toolsDir = options.toolsDir ?? (await mkdtemp(path.join(os.tmpdir(), 'fake-piped-tools-')));
  if (!ownsToolsDir) await mkdir(toolsDir, { recursive: true });
  const server = new grpc.Server({ 'grpc.max_receive_message_length': FAKE_RECEIVE_LIMIT_BYTES });
  try {
    const port = await bind(server, options.port ?? 0);
    // The host needs the bound port, and the server needs the host's handlers: add the service after binding.
    const host = new FakePiped(protocol, server, port, toolsDir, ownsToolsDir, options.tools);
    server.addService(host.serviceDefinition(), host.implementation());
    return host;
  } catch (error) {
    server.forceShutdown();
    if (ownsToolsDir) await rm(toolsDir, { recursive: true, force: true });
    throw error;
  }
}
