// Schema drift: the pure comparison on tiny in-memory schemas, then our proto/ against the upstream pipecd protos
// that the Go module cache holds once the Go fixtures have built (the pipecd version piped-plugin-sdk-go requires).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { formatDrift, schemaDrift } from '../../../src/protocol/drift.js';
import { loadProtocol, packageRoot, SERVICE_FILES } from '../../../src/protocol/load.js';
import { inCI, warnSkipped } from '../../support/ci.js';

const BASE = `
syntax = "proto3";
package demo;
import "validate/validate.proto";

enum Status {
  PENDING = 0;
  RUNNING = 1;
  DONE = 2;
}

message Stage {
  string id = 1 [(validate.rules).string.min_len = 1];
  string name = 2 [(validate.rules).string = {min_len: 1, max_len: 64}];
  Status status = 3 [(validate.rules).enum.defined_only = true];
  map<string, string> metadata = 4;
  repeated string requires = 5;
  optional string desc = 6;
  oneof target {
    option (validate.required) = true;
    string dir = 7;
    string url = 8;
  }
  reserved 9, 12 to 14;
  reserved "old_id";
}

service StageService {
  rpc Run(Stage) returns (Stage) {}
}
`;

/** Parses a one-file schema; `edit` rewrites the base text (each test changes one thing). */
function schema(edit: (text: string) => string = (t) => t): protobuf.Root {
  return protobuf.parse(edit(BASE), new protobuf.Root(), { keepCase: true }).root;
}

function drift(edit: (text: string) => string): string[] {
  return schemaDrift(schema(), schema(edit)).map(formatDrift);
}

describe('schemaDrift: ours (the base schema) against an upstream that differs in one thing', () => {
  it('no differences between identical schemas', () => {
    expect(schemaDrift(schema(), schema())).toEqual([]);
  });

  it('comments, whitespace and the order of option keys are not differences', () => {
    const reworded = (t: string) =>
      t.replace('string id = 1', '// the stage id\n  string id   =   1').replace('{min_len: 1, max_len: 64}', '{max_len: 64, min_len: 1}');
    expect(drift(reworded)).toEqual([]);
  });

  it('a field number', () => {
    expect(drift((t) => t.replace('Status status = 3', 'Status status = 10'))).toEqual(['demo.Stage.status number: ours 3, upstream 10']);
  });

  it('a (validate.rules) option', () => {
    expect(drift((t) => t.replace('string.min_len = 1]', 'string.min_len = 2]'))).toEqual([
      'demo.Stage.id (validate.rules): ours {"string":{"min_len":1}}, upstream {"string":{"min_len":2}}',
    ]);
  });

  it('a rule present on one side only', () => {
    expect(drift((t) => t.replace(' [(validate.rules).enum.defined_only = true]', ''))).toEqual([
      'demo.Stage.status (validate.rules): ours {"enum":{"defined_only":true}}, upstream absent',
    ]);
  });

  it('an enum value number, and a value only upstream has', () => {
    expect(drift((t) => t.replace('DONE = 2;', 'DONE = 3;\n  FAILED = 4;'))).toEqual([
      'demo.Status.DONE number: ours 2, upstream 3',
      'demo.Status.FAILED number: ours absent, upstream 4',
    ]);
  });

  it('a field type, and a field only upstream has', () => {
    expect(drift((t) => t.replace('repeated string requires = 5;', 'repeated Status requires = 5;\n  int64 created_at = 15;'))).toEqual([
      'demo.Stage.requires type: ours string, upstream demo.Status',
      'demo.Stage.created_at definition: ours absent, upstream singular int64 = 15',
    ]);
  });

  it('a label: repeated, proto3 optional, singular', () => {
    expect(drift((t) => t.replace('repeated string requires', 'string requires').replace('optional string desc', 'string desc'))).toEqual([
      'demo.Stage.requires label: ours repeated, upstream singular',
      'demo.Stage.desc label: ours optional, upstream singular',
    ]);
  });

  it('a map key type', () => {
    expect(drift((t) => t.replace('map<string, string>', 'map<int32, string>'))).toEqual(['demo.Stage.metadata type: ours map<string, string>, upstream map<int32, string>']);
  });

  it('oneof membership and oneof options', () => {
    expect(drift((t) => t.replace('    string url = 8;\n  }', '  }\n  string url = 8;').replace('    option (validate.required) = true;\n', ''))).toEqual([
      'demo.Stage.url oneof: ours target, upstream none',
      'demo.Stage.target (validate.required): ours true, upstream absent',
    ]);
  });

  it('reserved numbers and names', () => {
    expect(drift((t) => t.replace('reserved 9, 12 to 14;', 'reserved 9, 12 to 15;'))).toEqual(['demo.Stage reserved: ours "old_id", 12 to 14, 9, upstream "old_id", 12 to 15, 9']);
  });

  it('a type that upstream does not define, or defines as another kind', () => {
    expect(drift((t) => t.replace('message Stage {', 'message PipelineStage {').replace(/\(Stage\)/g, '(PipelineStage)'))).toContain(
      'demo.Stage definition: ours message, upstream absent',
    );
    expect(drift((t) => t.replace('enum Status {', 'message Status {').replace(/(PENDING|RUNNING|DONE) = (\d);/g, 'string $1 = $2;'))).toContain(
      'demo.Status definition: ours enum, upstream message',
    );
  });

  it('a method signature, and a method only upstream has', () => {
    expect(drift((t) => t.replace('rpc Run(Stage) returns (Stage) {}', 'rpc Run(Stage) returns (stream Stage) {}\n  rpc Stop(Stage) returns (Stage) {}'))).toEqual([
      'demo.StageService.Run signature: ours (demo.Stage) returns (demo.Stage), upstream (demo.Stage) returns (stream demo.Stage)',
      'demo.StageService.Stop definition: ours absent, upstream (demo.Stage) returns (demo.Stage)',
    ]);
  });
});

// ---- our proto/ against upstream

const GO_FIXTURES = path.join(packageRoot(), 'fixtures', 'plugins', 'go');
const PIPECD_MODULE = 'github.com/pipe-cd/pipecd';

/** The go command: $GO, then PATH, then the default install location (as fixtures/plugins/go/build.sh looks). */
function goCommand(): string | undefined {
  for (const candidate of [process.env.GO, 'go', '/usr/local/go/bin/go']) {
    if (candidate && spawnSync(candidate, ['version'], { encoding: 'utf8' }).status === 0) return candidate;
  }
  return undefined;
}

/**
 * The pipecd module directory in the Go module cache, at the version the Go fixtures resolve (the one
 * piped-plugin-sdk-go requires). Never downloads: GOPROXY=off, so an empty cache is reported, not filled.
 */
function upstreamPipecd(): { dir: string } | { missing: string } {
  const go = goCommand();
  if (!go) return { missing: 'Go is not installed' };
  const listed = spawnSync(go, ['list', '-m', '-f', '{{.Dir}}', PIPECD_MODULE], {
    cwd: GO_FIXTURES,
    encoding: 'utf8',
    env: { ...process.env, GOPROXY: 'off', GOTOOLCHAIN: 'local', GOFLAGS: '' },
  });
  const dir = listed.stdout.trim();
  if (listed.status !== 0 || !dir) return { missing: `${PIPECD_MODULE} is not in the Go module cache (go list: ${(listed.stderr || 'no directory').trim()})` };
  const absent = SERVICE_FILES.filter((file) => !existsSync(path.join(dir, file)));
  if (absent.length) return { missing: `${dir} lacks ${absent.join(', ')}` };
  return { dir };
}

const upstream = upstreamPipecd();
const skipUpstream = 'missing' in upstream && !inCI();
if ('missing' in upstream && skipUpstream) {
  warnSkipped('the schema drift check against upstream pipecd protos', upstream.missing, 'install Go 1.26+, then bash fixtures/plugins/go/build.sh (fills the module cache)');
}

describe.skipIf(skipUpstream)('proto/ against upstream pipecd (Go module cache)', () => {
  it('every message, field, enum value, reserved range, method and validate rule we define matches upstream', () => {
    if ('missing' in upstream) throw new Error(`cannot run the drift check under CI: ${upstream.missing}. .ci/run must build fixtures/plugins/go first.`);
    const drifts = schemaDrift(loadProtocol().root, loadProtocol(upstream.dir).root);
    expect(drifts.map(formatDrift), `proto/ has drifted from ${upstream.dir}`).toEqual([]);
  });

  it('the comparison covers the whole schema we load (sanity: it sees our types)', () => {
    if ('missing' in upstream) throw new Error(upstream.missing);
    const ours = loadProtocol().root;
    for (const name of ['model.Deployment', 'model.StageStatus', 'grpc.plugin.deploymentapi.v1alpha1.DeploymentService', 'grpc.piped.service.PluginService']) {
      expect(ours.lookup(name), name).not.toBeNull();
    }
    expect(loadProtocol(upstream.dir).root.lookup('model.Deployment')).not.toBeNull();
  });
});
