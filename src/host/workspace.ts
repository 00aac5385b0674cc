// The fake piped's repository checkouts: real directories behind every DeploymentSource the harness sends.
// piped clones the app's repo per commit and hands each call a fresh copy of it: `<copy>/<git_path.path>` as
// application_directory and `<copy>/.pipe` as shared_config_directory (pkg/app/pipedv1/deploysource/deploysource.go).
// Plugins read manifests from there and run scripts in it, so the paths must exist. A Session owns one workspace:
// created at start, removed at stop; the CLI also removes its run folder afterwards, in case a session never stopped.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  APP_PATH, applicationConfig, configFilenameOf, deploymentSource, RUNNING_COMMIT, TARGET_COMMIT, type AppSpec, type Checkout, type Sources,
} from '../generate/requests.js';

/** piped's name for the shared configuration folder at the repository root. */
const SHARED_CONFIG_DIR = '.pipe';

export class Workspace {
  private copies = 0;

  private constructor(readonly root: string) {}

  /**
   * An empty workspace in the run folder set by the CLI, else in the OS temp folder. The run folder is never
   * recreated: once the CLI removed it the run is over, and a worker still starting sessions must not leave files.
   */
  static create(parent = os.tmpdir()): Workspace {
    try {
      return new Workspace(mkdtempSync(path.join(parent, 'plugin-conformance-workspace-')));
    } catch (error) {
      throw new Error(`cannot create a workspace for DeploymentSource directories in ${parent}: ${(error as Error).message}`);
    }
  }

  /** A fresh copy of the repo at `commitHash`: the app folder holding the app config file, and an empty `.pipe/`. */
  checkout(app: AppSpec, commitHash: string): Checkout {
    this.copies += 1;
    const repo = path.join(this.root, `deploysource-${commitHash.slice(0, 12)}`, `repo-${this.copies}`);
    const checkout = { applicationDirectory: path.join(repo, APP_PATH), sharedConfigDirectory: path.join(repo, SHARED_CONFIG_DIR) };
    mkdirSync(checkout.applicationDirectory, { recursive: true });
    mkdirSync(checkout.sharedConfigDirectory, { recursive: true });
    if (app.example) {
      // The user's files as they are in their repository; symlinks copied as links, never followed out of it.
      cpSync(app.example.dir, checkout.applicationDirectory, { recursive: true, verbatimSymlinks: true });
      if (app.example.sharedConfigDir) cpSync(app.example.sharedConfigDir, checkout.sharedConfigDirectory, { recursive: true, verbatimSymlinks: true });
    }
    writeFileSync(path.join(checkout.applicationDirectory, configFilenameOf(app)), applicationConfig(app));
    return checkout;
  }

  /** A DeploymentSource for `app` at `commitHash`, backed by a fresh checkout. */
  source(app: AppSpec, commitHash = TARGET_COMMIT): any {
    return deploymentSource(app, commitHash, this.checkout(app, commitHash));
  }

  /** Target and running sources as piped sends them for one call; `withRunning` false = the app's first deployment. */
  sources(app: AppSpec, withRunning: boolean): Sources {
    return { target: this.source(app, TARGET_COMMIT), running: withRunning ? this.source(app, RUNNING_COMMIT) : null };
  }

  /** Deletes every checkout. Safe to call twice. */
  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
