// RELEASE: facts of the released artifact, judged only for a release build (--release, --expect-version), from the
// run spec: the version the plugin's `version` subcommand prints (RELEASE-001) and, for an oci:// target, the
// platforms of its image index (RELEASE-002, read by the CLI before the suites). Without --release they do not
// apply to the run (a pull-request build), so they never change its exit code or release flag.
import { describe, it, type TestContext } from 'vitest';
import { checkOciPlatforms, checkVersionOutput } from '../src/contract/checks/release.js';
import type { ReleaseSpec } from '../src/run-spec.js';
import { runVersionCommand } from './support/release.js';
import { expectNoViolations, requireOwnProcess, runSpec, unsupported } from './support/shared.js';

/** The release checks asked for, or the test ends as not applicable to this (non-release) run. */
function releaseSpec(ctx: TestContext): ReleaseSpec {
  const release = runSpec().release;
  if (!release) unsupported(ctx, 'not a release build: release checks run only with --release (or --expect-version V)');
  return release;
}

describe('RELEASE facts of the released artifact', () => {
  it('RELEASE-001 the version subcommand prints the version being released, not a placeholder', async (ctx) => {
    const release = releaseSpec(ctx);
    requireOwnProcess(ctx);
    const target = runSpec().target;
    if (target.kind === 'address') return; // requireOwnProcess ended the test
    expectNoViolations(checkVersionOutput(await runVersionCommand(target), release.expectVersion));
  });

  it('RELEASE-002 the oci:// artifact lists linux and darwin on amd64 and arm64, each with the plugin media type', (ctx) => {
    const release = releaseSpec(ctx);
    const oci = release.oci;
    if (!oci) unsupported(ctx, 'not an oci:// target: there is no image index to check (test the pushed artifact, oci://…, to check it)');
    if ('error' in oci) expectNoViolations([{ rule: 'RELEASE-002', message: `the image index of ${oci.url} could not be read: ${oci.error}` }]);
    else expectNoViolations(checkOciPlatforms(oci));
  });
});
