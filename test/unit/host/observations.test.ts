// What the fake piped records for the SVC checks: callback metadata, deployment windows, tool use; and fault plans.
import { execFileSync } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FAULT_PLANS, faultPlan, scopePlan, startFakePiped, type RunningHost } from '../../../src/host/index.js';
import { loadProtocol } from '../../../src/protocol/load.js';

const protocol = loadProtocol();
let host: RunningHost;
let client: grpc.Client & Record<string, Function>;

beforeEach(async () => {
  host = await startFakePiped(protocol);
  client = new protocol.clients.pluginService(host.address, grpc.credentials.createInsecure()) as any;
});

afterEach(async () => {
  client.close();
  await host.close();
});

function call(rpc: string, request: object, metadata = new grpc.Metadata()): Promise<any> {
  return new Promise((resolve) => client[rpc](request, metadata, { deadline: Date.now() + 10_000 }, (error: any, value: any) => resolve(error ?? value)));
}

describe('callback metadata', () => {
  test('the journal lists the metadata keys a call carried', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', 'Bearer x');
    await call('ListStageCommands', { deployment_id: 'd', stage_id: 's' }, metadata);
    expect(host.journal().at(-1)!.metadataKeys).toEqual(expect.arrayContaining(['authorization', 'user-agent']));
  });
});

describe('deployment windows', () => {
  test('each open and close is recorded with the case and application', () => {
    host.openDeployment({ id: 'd1', application_id: 'a1' }, 'case 1');
    host.closeDeployment('d1');
    host.openDeployment({ id: 'd1', application_id: 'a1' }, 'case 2');
    const windows = host.deploymentWindows();
    expect(windows).toEqual([
      { deploymentId: 'd1', applicationId: 'a1', caseId: 'case 1', openedAt: expect.any(Number), closedAt: expect.any(Number) },
      { deploymentId: 'd1', applicationId: 'a1', caseId: 'case 2', openedAt: expect.any(Number) },
    ]);
    expect(windows[0].closedAt!).toBeGreaterThanOrEqual(windows[0].openedAt);
  });
});

describe('installed tools', () => {
  const script = `printf '#!/bin/sh\\necho hi\\n' > {{.OutPath}}`;

  test('a tool run at its installed path is marked used, one never run is not', async () => {
    const ran = await call('InstallTool', { name: 'ran', version: '1', install_script: script });
    await call('InstallTool', { name: 'idle', version: '1', install_script: script });
    execFileSync(ran.installed_path);
    const tools = host.installedTools();
    expect(tools.map((t) => t.name)).toEqual(['ran', 'idle']);
    // A file system mounted noatime cannot tell; then `used` is left out rather than guessed.
    if (tools[0].used !== undefined) expect(tools.map((t) => t.used)).toEqual([true, false]);
  });

  test('a cached name-version is listed once', async () => {
    await call('InstallTool', { name: 'once', version: '1', install_script: script });
    await call('InstallTool', { name: 'once', version: '1', install_script: script });
    expect(host.installedTools()).toHaveLength(1);
  });
});

describe('shared objects seeded by the harness', () => {
  test('a seeded object is what the plugin reads', async () => {
    host.putSharedObject('a1', 'me', 'k', Buffer.from('seeded'));
    const answer = await call('GetApplicationSharedObject', { application_id: 'a1', plugin_name: 'me', key: 'k' });
    expect(Buffer.from(answer.object).toString()).toBe('seeded');
  });
});

describe('fault plans', () => {
  test('every plan is accepted by the host and has a unique name', () => {
    for (const plan of FAULT_PLANS) expect(() => host.setFaults(plan.rules)).not.toThrow();
    expect(new Set(FAULT_PLANS.map((p) => p.name)).size).toBe(FAULT_PLANS.length);
  });

  test('an unknown plan name lists the known ones', () => {
    expect(() => faultPlan('nope')).toThrow(/known plans: logs-unavailable, /);
  });

  test('a scoped plan touches only its deployment and application', async () => {
    host.openDeployment({ id: 'd1', application_id: 'a1' });
    host.openDeployment({ id: 'd2', application_id: 'a2' });
    host.setFaults([...scopePlan(faultPlan('metadata-store-gone'), { deploymentId: 'd1', applicationId: 'a1' }), ...scopePlan(faultPlan('shared-objects-unavailable'), { deploymentId: 'd1', applicationId: 'a1' })]);
    const inScope = await call('GetStageMetadata', { deployment_id: 'd1', stage_id: 's', key: 'k' });
    const outOfScope = await call('GetStageMetadata', { deployment_id: 'd2', stage_id: 's', key: 'k' });
    const object = await call('GetApplicationSharedObject', { application_id: 'a1', plugin_name: 'me', key: 'k' });
    expect(inScope.code).toBe(grpc.status.UNKNOWN);
    expect(outOfScope).toEqual({ value: '', found: false });
    expect(object.code).toBe(grpc.status.UNAVAILABLE);
  });

  test('a plan for every method is split into a deployment rule and an application rule', () => {
    const rules = scopePlan(faultPlan('everything-slow'), { deploymentId: 'd1', applicationId: 'a1' });
    expect(rules.map((r) => r.match)).toEqual([{ deployment_id: 'd1' }, { application_id: 'a1' }]);
  });
});
