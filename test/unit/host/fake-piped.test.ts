// The fake piped, driven over real gRPC the way a plugin would call it.
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { renderInstallScript } from '../../../src/host/go-template.js';
import { startFakePiped, type RunningHost } from '../../../src/host/index.js';
import { RpcError, statusOfError } from '../../../src/host/status.js';
import { loadProtocol } from '../../../src/protocol/load.js';

const protocol = loadProtocol();
const NOW = String(Math.floor(Date.now() / 1000));

type Answer = { ok: true; value: any } | { ok: false; code: number; details: string };

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

/** One unary call; the status comes back as data so tests can assert on it. */
function call(rpc: string, request: object): Promise<Answer> {
  return new Promise((resolve) => {
    client[rpc](request, { deadline: Date.now() + 10_000 }, (error: grpc.ServiceError | null, value: any) =>
      resolve(error ? { ok: false, code: error.code, details: error.details } : { ok: true, value }));
  });
}

function block(index: number, log = `line ${index}`) {
  return { index: String(index), log, severity: 'INFO', created_at: NOW };
}

function deployment(id: string, extra: object = {}) {
  return { id, application_id: `app-of-${id}`, ...extra };
}

describe('request validation', () => {
  test('a request breaking validate rules gets INVALID_ARGUMENT and its violations are journaled', async () => {
    host.openDeployment(deployment('d1'));
    const answer = await call('PutStageMetadata', { deployment_id: 'd1', stage_id: 's1', key: '', value: 'v' });
    expect(answer).toMatchObject({ ok: false, code: grpc.status.INVALID_ARGUMENT });
    expect((answer as any).details).toMatch(/^invalid request: key: /);
    const entry = host.journal().at(-1)!;
    expect(entry.status?.codeName).toBe('INVALID_ARGUMENT');
    expect(entry.violations).toEqual([expect.objectContaining({ path: 'key', rule: 'string.min_len' })]);
    expect(host.stageMetadata('d1', 's1')).toEqual({});
  });

  test('log blocks are validated too (empty line, created_at not > 0)', async () => {
    host.openDeployment(deployment('d1'));
    await call('ReportStageLogs', { deployment_id: 'd1', stage_id: 's1', blocks: [{ ...block(1, ''), created_at: '0' }] });
    const paths = host.journal().at(-1)!.violations.map((v) => v.path);
    expect(paths).toEqual(['blocks[0].log', 'blocks[0].created_at']);
    expect(host.stageLog('d1', 's1')).toBeUndefined();
  });

  test('validation runs before faults: an invalid request is never answered by a fault', async () => {
    host.setFaults([{ rpc: '*', kind: 'error', code: 'UNAVAILABLE' }]);
    const answer = await call('ListStageCommands', { deployment_id: '', stage_id: 's' });
    expect(answer).toMatchObject({ ok: false, code: grpc.status.INVALID_ARGUMENT });
    expect(host.journal().at(-1)!.fault).toBeUndefined();
  });
});

describe('stage metadata', () => {
  const seeded = deployment('d1', { stages: [{ id: 's1', metadata: { a: '1' } }, { id: 's2', metadata: { other: 'x' } }] });

  test('is seeded from deployment.stages[].metadata and Put merges', async () => {
    host.openDeployment(seeded);
    expect(await call('GetStageMetadata', { deployment_id: 'd1', stage_id: 's1', key: 'a' })).toEqual({ ok: true, value: { value: '1', found: true } });
    expect(await call('GetStageMetadata', { deployment_id: 'd1', stage_id: 's1', key: 'nope' })).toEqual({ ok: true, value: { value: '', found: false } });
    await call('PutStageMetadata', { deployment_id: 'd1', stage_id: 's1', key: 'b', value: '2' });
    await call('PutStageMetadataMulti', { deployment_id: 'd1', stage_id: 's1', metadata: { a: 'changed', c: '3' } });
    expect(host.stageMetadata('d1', 's1')).toEqual({ a: 'changed', b: '2', c: '3' });
    expect(host.stageMetadata('d1', 's2')).toEqual({ other: 'x' });
  });

  test('outside the open window every metadata RPC answers UNKNOWN, but the data stays inspectable', async () => {
    const notFound = { ok: false, code: grpc.status.UNKNOWN, details: 'metadata store not found for deployment d1' };
    expect(await call('GetStageMetadata', { deployment_id: 'd1', stage_id: 's1', key: 'a' })).toEqual(notFound);
    host.openDeployment(seeded);
    await call('PutStageMetadata', { deployment_id: 'd1', stage_id: 's1', key: 'b', value: '2' });
    host.closeDeployment('d1');
    expect(await call('PutStageMetadata', { deployment_id: 'd1', stage_id: 's1', key: 'b', value: '3' })).toEqual(notFound);
    expect(await call('GetDeploymentPluginMetadata', { deployment_id: 'd1', plugin_name: 'p', key: 'k' })).toEqual(notFound);
    expect(await call('GetDeploymentSharedMetadata', { deployment_id: 'd1', key: 'k' })).toEqual(notFound);
    expect(host.stageMetadata('d1', 's1')).toEqual({ a: '1', b: '2' });
  });

  test('re-opening merges a fresh snapshot under what was stored, stored values winning', async () => {
    host.openDeployment(seeded);
    await call('PutStageMetadata', { deployment_id: 'd1', stage_id: 's1', key: 'a', value: 'written' });
    host.closeDeployment('d1');
    host.openDeployment(deployment('d1', { stages: [{ id: 's1', metadata: { a: 'stale', fresh: 'yes' } }] }));
    expect(host.stageMetadata('d1', 's1')).toEqual({ a: 'written', fresh: 'yes' });
  });
});

describe('deployment plugin and shared metadata', () => {
  const withMetadata = deployment('d1', {
    metadata_v2: {
      shared: { keyValues: { DeploymentNotification: 'mentions' } },
      plugins: { p1: { keyValues: { k: 'seed' } } },
    },
  });

  test('plugin namespaces are seeded from metadata_v2.plugins and kept apart', async () => {
    host.openDeployment(withMetadata);
    expect(await call('GetDeploymentPluginMetadata', { deployment_id: 'd1', plugin_name: 'p1', key: 'k' })).toEqual({ ok: true, value: { value: 'seed', found: true } });
    await call('PutDeploymentPluginMetadata', { deployment_id: 'd1', plugin_name: 'p2', key: 'k', value: 'mine' });
    await call('PutDeploymentPluginMetadataMulti', { deployment_id: 'd1', plugin_name: 'p1', metadata: { other: 'v' } });
    expect(host.pluginMetadata('d1', 'p1')).toEqual({ k: 'seed', other: 'v' });
    expect(host.pluginMetadata('d1', 'p2')).toEqual({ k: 'mine' });
  });

  test('Get accepts an empty plugin_name (unvalidated in piped) while Put requires one', async () => {
    host.openDeployment(withMetadata);
    expect(await call('GetDeploymentPluginMetadata', { deployment_id: 'd1', plugin_name: '', key: 'k' })).toEqual({ ok: true, value: { value: '', found: false } });
    expect(await call('PutDeploymentPluginMetadata', { deployment_id: 'd1', plugin_name: '', key: 'k', value: 'v' })).toMatchObject({ ok: false, code: grpc.status.INVALID_ARGUMENT });
  });

  test('shared metadata is read from metadata_v2.shared', async () => {
    host.openDeployment(withMetadata);
    expect(await call('GetDeploymentSharedMetadata', { deployment_id: 'd1', key: 'DeploymentNotification' })).toEqual({ ok: true, value: { value: 'mentions', found: true } });
    expect(await call('GetDeploymentSharedMetadata', { deployment_id: 'd1', key: 'absent' })).toEqual({ ok: true, value: { value: '', found: false } });
  });
});

describe('stage logs', () => {
  const where = { deployment_id: 'd1', stage_id: 's1' };

  test('logs of a deployment the harness never created get NOT_FOUND', async () => {
    expect(await call('ReportStageLogs', { ...where, blocks: [block(1)] })).toMatchObject({ ok: false, code: grpc.status.NOT_FOUND });
  });

  test('blocks are deduplicated by index (first kept) and sorted, also after the window closed', async () => {
    host.openDeployment(deployment('d1'));
    host.closeDeployment('d1');
    await call('ReportStageLogs', { ...where, blocks: [block(3), block(1, 'first')] });
    await call('ReportStageLogsFromLastCheckpoint', { ...where, blocks: [block(1, 'again'), block(2)] });
    const log = host.stageLog('d1', 's1')!;
    expect(log.blocks.map((b) => [b.index, b.log])).toEqual([['1', 'first'], ['2', 'line 2'], ['3', 'line 3']]);
    expect(log.completed).toBe(false);
  });

  test('a completed checkpoint stores its blocks, seals the log, and later appends get FAILED_PRECONDITION', async () => {
    host.openDeployment(deployment('d1'));
    expect(await call('ReportStageLogsFromLastCheckpoint', { ...where, blocks: [block(1)], completed: true })).toEqual({ ok: true, value: {} });
    expect(host.stageLog('d1', 's1')).toMatchObject({ completed: true, blocks: [expect.objectContaining({ index: '1' })] });
    const late = await call('ReportStageLogs', { ...where, blocks: [block(2)] });
    expect(late).toMatchObject({ ok: false, code: grpc.status.FAILED_PRECONDITION });
    expect((late as any).details).toContain('stage was already completed');
    expect(await call('ReportStageLogsFromLastCheckpoint', { ...where, blocks: [], completed: true })).toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
    // Another retried_count is another log.
    expect(await call('ReportStageLogs', { ...where, retried_count: 1, blocks: [block(2)] })).toMatchObject({ ok: true });
    expect(host.stageLog('d1', 's1', 1)?.blocks).toHaveLength(1);
  });
});

describe('ListStageCommands', () => {
  const approve = { id: 'c1', piped_id: 'p', deployment_id: 'd1', stage_id: 's1', commander: 'alice', type: 'APPROVE_STAGE', approve_stage: { deployment_id: 'd1', stage_id: 's1' }, created_at: NOW, updated_at: NOW };

  test('returns the same unhandled commands on every call until cleared; an unknown pair is empty', async () => {
    host.setStageCommands('d1', 's1', [approve, approve]);
    const first = await call('ListStageCommands', { deployment_id: 'd1', stage_id: 's1' });
    const second = await call('ListStageCommands', { deployment_id: 'd1', stage_id: 's1' });
    expect(first).toEqual(second);
    expect((first as any).value.commands.map((c: any) => [c.id, c.type, c.commander])).toEqual([['c1', 'APPROVE_STAGE', 'alice'], ['c1', 'APPROVE_STAGE', 'alice']]);
    expect(await call('ListStageCommands', { deployment_id: 'd1', stage_id: 'other' })).toEqual({ ok: true, value: { commands: [] } });
    host.clearStageCommands('d1', 's1');
    expect(await call('ListStageCommands', { deployment_id: 'd1', stage_id: 's1' })).toEqual({ ok: true, value: { commands: [] } });
  });
});

describe('application shared objects', () => {
  const where = { application_id: 'app1', plugin_name: 'p1', key: 'latest' };

  test('Get of an absent object is NOT_FOUND; Put stores and overwrites', async () => {
    expect(await call('GetApplicationSharedObject', where)).toMatchObject({ ok: false, code: grpc.status.NOT_FOUND });
    await call('PutApplicationSharedObject', { ...where, object: Buffer.from('one') });
    await call('PutApplicationSharedObject', { ...where, object: Buffer.from('two') });
    const answer = await call('GetApplicationSharedObject', where);
    expect(Buffer.from((answer as any).value.object).toString()).toBe('two');
    expect(host.sharedObject('app1', 'p1', 'latest')?.toString()).toBe('two');
    expect(await call('GetApplicationSharedObject', { ...where, plugin_name: 'p2' })).toMatchObject({ ok: false, code: grpc.status.NOT_FOUND });
  });
});

describe('InstallTool', () => {
  const writeTool = `printf '#!/bin/sh\\necho {{ .Name }} {{.Version}} {{.Os}}/{{.Arch}}\\n' > {{ .OutPath }}`;

  test('runs the templated script and moves the executable to <toolsDir>/<name>-<version>', async () => {
    const answer = await call('InstallTool', { name: 'kubectl', version: '1.30', install_script: writeTool });
    const installed = path.join(host.toolsDir, 'kubectl-1.30');
    expect(answer).toEqual({ ok: true, value: { installed_path: installed } });
    expect(statSync(installed).mode & 0o777).toBe(0o755);
    expect(await readFile(installed, 'utf8')).toMatch(/^#!\/bin\/sh\necho kubectl 1\.30 (linux|darwin)\/(amd64|arm64)/);
  });

  test('a cached name-version comes back without running the script again', async () => {
    await call('InstallTool', { name: 'tool', version: 'v1', install_script: writeTool });
    const again = await call('InstallTool', { name: 'tool', version: 'v1', install_script: 'exit 1' });
    expect(again).toEqual({ ok: true, value: { installed_path: path.join(host.toolsDir, 'tool-v1') } });
  });

  test('concurrent calls for one name-version share a single run', async () => {
    const counter = path.join(host.toolsDir, 'runs.txt');
    const script = `echo run >> ${counter}; ${writeTool}`;
    const answers = await Promise.all([1, 2, 3].map(() => call('InstallTool', { name: 'once', version: '1', install_script: script })));
    expect(answers.every((a) => a.ok)).toBe(true);
    expect((await readFile(counter, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  test('an unknown template field is UNKNOWN naming the field, and nothing runs', async () => {
    const answer = await call('InstallTool', { name: 'bad', version: '1', install_script: 'touch {{.OutPath}}; echo {{ .HomeDir }}' });
    expect(answer).toMatchObject({ ok: false, code: grpc.status.UNKNOWN });
    expect((answer as any).details).toContain('unknown template field .HomeDir');
    expect(existsSync(path.join(host.toolsDir, 'bad-1'))).toBe(false);
  });

  test('a failing script is UNKNOWN with the exit code, the tool and version, --tool, and the tail of its output', async () => {
    const answer = await call('InstallTool', { name: 'broken', version: '1', install_script: 'echo downloading; echo boom >&2; exit 3' });
    expect(answer).toMatchObject({ ok: false, code: grpc.status.UNKNOWN });
    expect((answer as any).details).toMatch(/exited with code 3 \(the plugin asked for tool "broken" version "1"; .* --tool broken@1=PATH\); last output lines:\ndownloading\nboom/);
  });

  test('a script that leaves nothing at OutPath is UNKNOWN', async () => {
    const answer = await call('InstallTool', { name: 'empty', version: '1', install_script: 'true' });
    expect(answer).toMatchObject({ ok: false, code: grpc.status.UNKNOWN });
    expect((answer as any).details).toContain('left nothing at {{.OutPath}}');
  });

  test('a tool already in a given toolsDir counts as installed', async () => {
    const toolsDir = await mkdtemp(path.join(os.tmpdir(), 'tools-test-'));
    await writeFile(path.join(toolsDir, 'pre-1'), '#!/bin/sh\n', { mode: 0o755 });
    const other = await startFakePiped(protocol, { toolsDir });
    const otherClient = new protocol.clients.pluginService(other.address, grpc.credentials.createInsecure()) as any;
    try {
      const answer = await new Promise<any>((resolve) => otherClient.InstallTool({ name: 'pre', version: '1', install_script: 'exit 1' }, (e: any, v: any) => resolve(e ?? v)));
      expect(answer).toEqual({ installed_path: path.join(toolsDir, 'pre-1') });
    } finally {
      otherClient.close();
      await other.close();
      await rm(toolsDir, { recursive: true, force: true });
    }
  });
});

describe('install script templates', () => {
  const vars = { Name: 'n', Version: 'v', OutPath: '/o', TmpDir: '/t', Arch: 'amd64', Os: 'linux' };

  test('fields, spaces inside braces and Go trim markers render; other actions are refused', () => {
    expect(renderInstallScript('{{.Name}}-{{ .Version }} > {{.OutPath}} in {{.TmpDir}} for {{.Os}}/{{.Arch}}', vars)).toBe('n-v > /o in /t for linux/amd64');
    expect(renderInstallScript('a  {{- .Name -}}  b', vars)).toBe('anb');
    expect(() => renderInstallScript('{{if .Name}}x{{end}}', vars)).toThrow(/unsupported template action/);
    expect(() => renderInstallScript('echo {{.Name', vars)).toThrow(/unclosed action/);
  });
});

describe('fault injection', () => {
  const get = { application_id: 'a', plugin_name: 'p', key: 'k' };

  test('an error fault answers with the named code and message, records it, and skips the store', async () => {
    host.setFaults([{ rpc: 'PutApplicationSharedObject', kind: 'error', code: 'RESOURCE_EXHAUSTED', message: 'quota' }]);
    expect(await call('PutApplicationSharedObject', { ...get, object: Buffer.from('x') })).toEqual({ ok: false, code: grpc.status.RESOURCE_EXHAUSTED, details: 'quota' });
    expect(host.journal().at(-1)!.fault).toBe('error:RESOURCE_EXHAUSTED');
    expect(host.sharedObject('a', 'p', 'k')).toBeUndefined();
  });

  test('a latency fault still gives the normal answer', async () => {
    host.setFaults([{ rpc: 'GetApplicationSharedObject', kind: 'latency', delayMs: 20 }]);
    expect(await call('GetApplicationSharedObject', get)).toMatchObject({ ok: false, code: grpc.status.NOT_FOUND });
    host.openDeployment(deployment('d1'));
    host.setFaults([{ rpc: '*', kind: 'latency', delayMs: 5 }]);
    expect(await call('ListStageCommands', { deployment_id: 'd1', stage_id: 's' })).toEqual({ ok: true, value: { commands: [] } });
    expect(host.journal().at(-1)!.fault).toBe('latency:5ms');
  });

  test('times limits a rule, match narrows it, and the first matching rule wins', async () => {
    host.setFaults([
      { rpc: 'ListStageCommands', kind: 'error', code: 'NOT_FOUND', match: { stage_id: 'other' } },
      { rpc: 'ListStageCommands', kind: 'error', code: 'INTERNAL', times: 1 },
      { rpc: '*', kind: 'error', code: 'ABORTED', match: { stage_id: 'never' } },
    ]);
    const list = (stage_id: string) => call('ListStageCommands', { deployment_id: 'd1', stage_id });
    expect(await list('s1')).toMatchObject({ code: grpc.status.INTERNAL, details: 'injected fault' });
    expect(await list('s1')).toEqual({ ok: true, value: { commands: [] } });
    expect(await list('other')).toMatchObject({ code: grpc.status.NOT_FOUND });
    host.setFaults([]);
    expect(await list('other')).toMatchObject({ ok: true });
  });

  test('a malformed fault plan is refused when set', () => {
    expect(() => host.setFaults([{ rpc: 'DecryptSecret', kind: 'error' }])).toThrow(/unknown PluginService method/);
    expect(() => host.setFaults([{ rpc: '*', kind: 'error', code: 'NOPE' }])).toThrow(/not a gRPC error status/);
    expect(() => host.setFaults([{ rpc: '*', kind: 'latency' }])).toThrow(/delayMs/);
  });

  test('a hung call is held until close, then answered UNAVAILABLE and journaled', async () => {
    host.setFaults([{ rpc: 'GetApplicationSharedObject', kind: 'hang' }]);
    const arrived = host.waitForArrival((c) => c.rpc === 'GetApplicationSharedObject', 5_000);
    const answer = call('GetApplicationSharedObject', get);
    expect(await arrived).toMatchObject({ request: get });
    expect(host.inFlight()).toHaveLength(1);
    await host.close();
    expect(await answer).toMatchObject({ ok: false, code: grpc.status.UNAVAILABLE });
    expect(host.journal().at(-1)).toMatchObject({ fault: 'hang', status: { codeName: 'UNAVAILABLE' } });
    expect(host.inFlight()).toHaveLength(0);
    await host.close(); // idempotent
  });
});

describe('journal', () => {
  test('calls are attributed to the case that opened their deployment, else to the current case', async () => {
    host.setCurrentCase('current');
    host.openDeployment(deployment('d1'), 'opener');
    host.closeDeployment('d1');
    await call('ListStageCommands', { deployment_id: 'd1', stage_id: 's' });
    await call('ListStageCommands', { deployment_id: 'd2', stage_id: 's' });
    await call('GetApplicationSharedObject', { application_id: 'app-of-d1', plugin_name: 'p', key: 'k' });
    host.setCurrentCase(undefined);
    await call('GetApplicationSharedObject', { application_id: 'elsewhere', plugin_name: 'p', key: 'k' });
    expect(host.journal().map((e) => e.caseId)).toEqual(['opener', 'current', 'opener', undefined]);
  });

  test('entries carry seq, time, duration, request and answer', async () => {
    const before = Date.now();
    await call('ListStageCommands', { deployment_id: 'd1', stage_id: 's' });
    await call('GetApplicationSharedObject', { application_id: 'a', plugin_name: 'p', key: 'k' });
    const [ok, failed] = host.journal();
    expect(ok).toMatchObject({ seq: 1, rpc: 'ListStageCommands', request: { deployment_id: 'd1', stage_id: 's' }, response: { commands: [] }, violations: [] });
    expect(ok.time).toBeGreaterThanOrEqual(before);
    expect(ok.durationMs).toBeGreaterThanOrEqual(0);
    expect(failed).toMatchObject({ seq: 2, status: { code: grpc.status.NOT_FOUND, codeName: 'NOT_FOUND' } });
    expect(failed.response).toBeUndefined();
    expect(host.lastSeq()).toBe(2);
    expect(host.journalSince(1).map((e) => e.seq)).toEqual([2]);
  });

  test('waitFor resolves with the first new matching entry, ignoring earlier ones', async () => {
    await call('ListStageCommands', { deployment_id: 'd1', stage_id: 's' });
    const waiting = host.waitFor((e) => e.rpc === 'ListStageCommands', 5_000);
    await call('GetApplicationSharedObject', { application_id: 'a', plugin_name: 'p', key: 'k' });
    await call('ListStageCommands', { deployment_id: 'd1', stage_id: 's' });
    expect((await waiting)?.seq).toBe(3);
  });

  test('waitFor resolves undefined on timeout, and at once when the host closes', async () => {
    expect(await host.waitFor(() => true, 10)).toBeUndefined();
    const pending = host.waitFor(() => true, 60_000);
    await host.close();
    expect(await pending).toBeUndefined();
  });
});

describe('message sizes', () => {
  test('each entry carries the encoded request size', async () => {
    await call('ListStageCommands', { deployment_id: 'd1', stage_id: 's' });
    const encoded = protocol.services.pluginService.ListStageCommands.requestSerialize({ deployment_id: 'd1', stage_id: 's' });
    expect(host.journal()[0].requestBytes).toBe(encoded.length);
  });

  test('a request over 4 MiB is journaled with its size and refused with RESOURCE_EXHAUSTED, as piped refuses it', async () => {
    host.openDeployment(deployment('d1'));
    const answer = await call('ReportStageLogs', { deployment_id: 'd1', stage_id: 's1', retried_count: 0, blocks: [block(1, 'x'.repeat(5 * 1024 * 1024))] });
    expect(answer).toMatchObject({ ok: false, code: grpc.status.RESOURCE_EXHAUSTED });
    expect((answer as any).details).toMatch(/^grpc: received message larger than max \(\d+ vs\. 4194304\)$/);
    const entry = host.journal().at(-1)!;
    expect(entry.requestBytes).toBeGreaterThan(5 * 1024 * 1024);
    expect(entry.status?.codeName).toBe('RESOURCE_EXHAUSTED');
    expect(host.stageLog('d1', 's1')).toBeUndefined();
  });
});

describe('internal errors', () => {
  test('a response the fake cannot serialise is answered and journaled as an UNKNOWN harness error', async () => {
    host.setStageCommands('d1', 's1', [{ id: 'c1', approve_stage: 'not a message' }]);
    const answer = await call('ListStageCommands', { deployment_id: 'd1', stage_id: 's1' });
    expect(answer).toMatchObject({ ok: false, code: grpc.status.UNKNOWN });
    expect((answer as any).details).toMatch(/^harness error: /);
    expect(host.journal().at(-1)!.status?.details).toMatch(/^harness error: /);
  });

  test('statuses: RpcError keeps its code; anything else is a harness error sent as UNKNOWN', () => {
    expect(statusOfError(new RpcError(grpc.status.NOT_FOUND, 'gone'))).toEqual({ code: grpc.status.NOT_FOUND, codeName: 'NOT_FOUND', details: 'gone' });
    expect(statusOfError(new TypeError('oops'))).toEqual({ code: grpc.status.UNKNOWN, codeName: 'UNKNOWN', details: 'harness error: oops' });
  });
});
