// Release checks (RELEASE): facts of the released artifact rather than of the protocol, judged only when a release
// build asks for them (--release). RELEASE-001: the `version` subcommand names the version being released;
// RELEASE-002: an oci:// artifact offers a build for every platform piped runs on, each with the plugin media type.
import type { OciIndexFacts } from '../../launch/oci.js';
import { MEDIA, PLUGIN_MEDIA_TYPE } from '../../launch/oci.js';
import type { Violation } from '../violation.js';
import { violation } from './common.js';

/** What `<plugin> version` did. */
export interface VersionFacts {
  /** The command as run, for messages (`/path/plugin version`, `docker run IMAGE version`). */
  command: string;
  exitCode: number | null;
  signal?: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Why it could not be run at all (not found, no engine). */
  error?: string;
}

/** Versions a build leaves when nobody set one: pipecd's pkg/version default, Go's `(devel)`, unfilled templates. */
export const PLACEHOLDER_VERSIONS: readonly string[] = ['', 'unspecified', 'unknown', 'undefined', 'none', 'dev', 'devel', '(devel)', '{version}'];

/**
 * The version a `version` subcommand printed: the `Version:` field of pipecd's format
 * (`Version: v1.2.0, GitCommit: …, BuildDate: …`, every SDK plugin), else the first non-empty line.
 */
export function printedVersion(stdout: string): string {
  const sdk = /\bVersion:\s*([^,\s]*)/.exec(stdout);
  if (sdk) return sdk[1];
  return stdout.split('\n').map((line) => line.trim()).find(Boolean) ?? '';
}

/** Equal, or equal but for one leading `v` (a tag `v1.2.0` and a build stamped `1.2.0` name the same release). */
export function sameVersion(printed: string, expected: string): boolean {
  const bare = (v: string) => v.trim().replace(/^v(?=\d)/, '');
  return printed.trim() === expected.trim() || bare(printed) === bare(expected);
}

/** RELEASE-001: `version` exits 0 and prints `expected` (when given), never a placeholder. */
export function checkVersionOutput(facts: VersionFacts, expected?: string): Violation[] {
  const output = { stdout: facts.stdout.slice(0, 500), stderr: facts.stderr.slice(0, 500) };
  if (facts.error) return [violation('RELEASE-001', `\`${facts.command}\` could not be run: ${facts.error}`)];
  if (facts.timedOut) return [violation('RELEASE-001', `\`${facts.command}\` did not exit within its time limit; the version subcommand must print and exit`, output)];
  if (facts.exitCode !== 0) {
    const how = facts.signal ? `was killed by ${facts.signal}` : `exited with code ${facts.exitCode}`;
    return [violation('RELEASE-001', `\`${facts.command}\` ${how}; a released plugin answers its version subcommand with exit code 0`, output)];
  }
  const printed = printedVersion(facts.stdout);
  const stamp = 'stamp the version at build time, e.g. go build -ldflags "-X github.com/pipe-cd/pipecd/pkg/version.version=$VERSION"';
  if (PLACEHOLDER_VERSIONS.includes(printed.toLowerCase())) {
    return [violation('RELEASE-001', `\`${facts.command}\` printed the placeholder version "${printed}"${expected ? ` instead of ${expected}` : ''}: the build carries no version; ${stamp}`, output)];
  }
  if (expected !== undefined && !sameVersion(printed, expected)) {
    return [violation('RELEASE-001', `\`${facts.command}\` printed version "${printed}", but the release is ${expected} (--expect-version); ${stamp}`, output)];
  }
  return [];
}

/** The platforms piped is built for: every `pipectl plugin push` of a release should offer each of them. */
export const RELEASE_PLATFORMS: readonly string[] = ['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64'];

/** RELEASE-002: the artifact is an image index with an entry per RELEASE_PLATFORMS, each one plugin layer. */
export function checkOciPlatforms(facts: OciIndexFacts, platforms: readonly string[] = RELEASE_PLATFORMS): Violation[] {
  const push = `push every build with \`pipectl plugin push --files ${platforms.map((p) => `${p}=<binary>`).join(',')}\``;
  if (facts.mediaType !== MEDIA.index) {
    return [violation('RELEASE-002', `${facts.url} is a ${facts.mediaType || 'document without a media type'} (${facts.digest}), not an OCI image index: a lone manifest names no platform, so piped on every os/arch would download the same file; ${push}`)];
  }
  const out: Violation[] = [];
  const listed = facts.entries.map((e) => e.platform ?? `(no platform) ${e.digest}`);
  for (const platform of platforms) {
    const entry = facts.entries.find((e) => e.platform === platform);
    if (!entry) {
      out.push(violation('RELEASE-002', `the image index of ${facts.url} has no entry for ${platform}: piped on ${platform} cannot pull the plugin; ${push}`, { listed }));
      continue;
    }
    if (entry.error) {
      out.push(violation('RELEASE-002', `the ${platform} manifest ${entry.digest} of ${facts.url} could not be read: ${entry.error}`));
      continue;
    }
    const plugin = (entry.layers ?? []).filter((m) => m === PLUGIN_MEDIA_TYPE).length;
    if (plugin !== 1) {
      const found = (entry.layers ?? []).join(', ') || 'no layers';
      const why = plugin === 0 ? 'piped would download no plugin' : 'piped would concatenate them into one file';
      out.push(violation('RELEASE-002', `the ${platform} manifest ${entry.digest} of ${facts.url} has ${plugin} layers of media type ${PLUGIN_MEDIA_TYPE} (layers: ${found}); expected exactly one (${why}, CATALOGUE §8.2)`));
    }
  }
  return out;
}
