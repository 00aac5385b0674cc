import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applicationConfig, RUNNING_COMMIT, TARGET_COMMIT, type AppSpec } from '../../../src/generate/requests.js';
import { Workspace } from '../../../src/host/workspace.js';
import { loadProtocol } from '../../../src/protocol/load.js';
import { validateMessage } from '../../../src/protocol/validate.js';

const app: AppSpec = { pluginName: 'example', pipeline: [{ name: 'EXAMPLE_SYNC', with: { prune: true } }] };

let parent: string;
let workspace: Workspace;

beforeEach(() => {
  parent = mkdtempSync(path.join(os.tmpdir(), 'pc-workspace-test-'));
  workspace = Workspace.create(parent);
});

afterEach(() => rmSync(parent, { recursive: true, force: true }));

describe('Workspace: the directories behind DeploymentSources', () => {
  it('is created inside the given parent folder', () => {
    expect(path.dirname(workspace.root)).toBe(parent);
    expect(statSync(workspace.root).isDirectory()).toBe(true);
  });

  it('a checkout holds the app config file under git_path.path and an empty .pipe at the repo root, as piped prepares it', () => {
    const checkout = workspace.checkout(app, TARGET_COMMIT);
    expect(path.isAbsolute(checkout.applicationDirectory)).toBe(true);
    expect(checkout.applicationDirectory.endsWith(path.join('apps', 'conformance'))).toBe(true);
    expect(path.dirname(checkout.sharedConfigDirectory)).toBe(path.dirname(path.dirname(checkout.applicationDirectory)));
    expect(path.basename(checkout.sharedConfigDirectory)).toBe('.pipe');
    expect(readFileSync(path.join(checkout.applicationDirectory, 'app.pipecd.yaml'), 'utf8')).toBe(applicationConfig(app));
    expect(statSync(checkout.sharedConfigDirectory).isDirectory()).toBe(true);
  });

  it('every checkout is a fresh copy, so one call cannot see what a plugin wrote during another', () => {
    const first = workspace.checkout(app, TARGET_COMMIT);
    const second = workspace.checkout(app, TARGET_COMMIT);
    expect(second.applicationDirectory).not.toBe(first.applicationDirectory);
  });

  it('source() carries the same app config bytes as the file on disk and passes the validate rules', () => {
    const source = workspace.source(app);
    expect(source.commit_hash).toBe(TARGET_COMMIT);
    expect(source.application_config.toString('utf8')).toBe(readFileSync(path.join(source.application_directory, source.application_config_filename), 'utf8'));
    expect(validateMessage(loadProtocol().root, 'grpc.plugin.common.v1alpha1.DeploymentSource', source)).toEqual([]);
  });

  it('sources() gives a running source at the previous commit, or none on a first deployment', () => {
    const both = workspace.sources(app, true);
    expect(both.target.commit_hash).toBe(TARGET_COMMIT);
    expect(both.running.commit_hash).toBe(RUNNING_COMMIT);
    expect(existsSync(both.running.application_directory)).toBe(true);
    expect(workspace.sources(app, false).running).toBeNull();
  });

  it('remove() deletes every checkout and can be called twice', () => {
    const checkout = workspace.checkout(app, TARGET_COMMIT);
    workspace.remove();
    workspace.remove();
    expect(existsSync(checkout.applicationDirectory)).toBe(false);
    expect(existsSync(workspace.root)).toBe(false);
  });
});

describe('Workspace.create', () => {
  it('does not recreate a run folder that is gone (the run is over), and says where it tried', () => {
    const gone = path.join(parent, 'finished-run');
    expect(() => Workspace.create(gone)).toThrow(/cannot create a workspace .* in .*finished-run/);
    expect(existsSync(gone)).toBe(false);
  });
});
