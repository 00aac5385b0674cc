// RELEASE-001 and RELEASE-002 as pure checks: the version a `version` subcommand printed, and an OCI index's platforms.
import { describe, expect, it } from 'vitest';
import { checkOciPlatforms, checkVersionOutput, printedVersion, RELEASE_PLATFORMS, sameVersion, type VersionFacts } from '../../../src/contract/checks/release.js';
import { MEDIA, PLUGIN_MEDIA_TYPE, type OciIndexFacts } from '../../../src/launch/oci.js';

const ran = (stdout: string, more: Partial<VersionFacts> = {}): VersionFacts => ({ command: '/p version', exitCode: 0, timedOut: false, stdout, stderr: '', ...more });
const messages = (v: { message: string }[]) => v.map((x) => x.message);

describe('printedVersion and sameVersion', () => {
  it("reads pipecd's `Version: X, GitCommit: …` (every SDK plugin), else the first non-empty line", () => {
    expect(printedVersion('Version: v1.2.0, GitCommit: abc, BuildDate: 2026-01-01\n')).toBe('v1.2.0');
    expect(printedVersion('Version: unspecified, GitCommit: unspecified, BuildDate: unspecified')).toBe('unspecified');
    expect(printedVersion('\n  0.1.0  \nmore')).toBe('0.1.0');
    expect(printedVersion('')).toBe('');
  });

  it('a leading v is optional on either side, nothing else is', () => {
    expect(sameVersion('v1.2.0', '1.2.0')).toBe(true);
    expect(sameVersion('1.2.0', 'v1.2.0')).toBe(true);
    expect(sameVersion('1.2.0', '1.2.0')).toBe(true);
    expect(sameVersion('1.2.0', '1.2.1')).toBe(false);
    expect(sameVersion('version', 'ersion')).toBe(false);
  });
});

describe('checkVersionOutput (RELEASE-001)', () => {
  it('passes a real version, and the expected one', () => {
    expect(checkVersionOutput(ran('Version: v1.2.0, GitCommit: abc, BuildDate: x'))).toEqual([]);
    expect(checkVersionOutput(ran('Version: v1.2.0, GitCommit: abc, BuildDate: x'), '1.2.0')).toEqual([]);
    expect(checkVersionOutput(ran('0.1.0\n'), '0.1.0')).toEqual([]);
  });

  it('fails a placeholder, with or without an expected version, and says how to stamp one', () => {
    const [found] = checkVersionOutput(ran('Version: unspecified, GitCommit: unspecified, BuildDate: unspecified'), 'v1.2.0');
    expect(found.rule).toBe('RELEASE-001');
    expect(found.message).toContain('printed the placeholder version "unspecified" instead of v1.2.0');
    expect(found.message).toContain('-X github.com/pipe-cd/pipecd/pkg/version.version=$VERSION');
    for (const placeholder of ['', '(devel)', 'Unknown', '{version}', 'dev']) expect(checkVersionOutput(ran(placeholder)), placeholder).toHaveLength(1);
  });

  it('fails another version than the expected one, naming both', () => {
    expect(messages(checkVersionOutput(ran('Version: v1.1.0, GitCommit: a, BuildDate: b'), 'v1.2.0'))).toEqual([
      expect.stringContaining('printed version "v1.1.0", but the release is v1.2.0 (--expect-version)'),
    ]);
  });

  it('fails a version subcommand that errs, is killed, hangs or cannot be run', () => {
    expect(messages(checkVersionOutput(ran('', { exitCode: 1, stderr: 'unknown command "version"' })))).toEqual([expect.stringContaining('exited with code 1')]);
    expect(messages(checkVersionOutput(ran('', { exitCode: null, signal: 'SIGSEGV' })))).toEqual([expect.stringContaining('was killed by SIGSEGV')]);
    expect(messages(checkVersionOutput(ran('', { exitCode: null, timedOut: true })))).toEqual([expect.stringContaining('did not exit within its time limit')]);
    expect(messages(checkVersionOutput(ran('', { exitCode: null, error: 'ENOENT' })))).toEqual(['`/p version` could not be run: ENOENT']);
  });
});

const manifest = (platform: string, layers: string[] = [PLUGIN_MEDIA_TYPE]) => ({ platform, digest: `sha256:${platform.replace('/', '-')}`, mediaType: MEDIA.manifest, layers });
const index = (entries: OciIndexFacts['entries']): OciIndexFacts => ({ url: 'oci://r.example/me/p:v1', mediaType: MEDIA.index, digest: 'sha256:idx', entries });

describe('checkOciPlatforms (RELEASE-002)', () => {
  it('passes an index with linux and darwin on amd64 and arm64, each one plugin layer; other platforms may be added', () => {
    expect(RELEASE_PLATFORMS).toEqual(['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64']);
    expect(checkOciPlatforms(index([...RELEASE_PLATFORMS.map((p) => manifest(p)), manifest('windows/amd64', ['other'])]))).toEqual([]);
  });

  it('names each missing platform and the push command that adds it', () => {
    const found = checkOciPlatforms(index([manifest('linux/amd64')]));
    expect(found.map((v) => v.message.split(':')[0])).toEqual([
      'the image index of oci',
      'the image index of oci',
      'the image index of oci',
    ]);
    expect(messages(found).join('\n')).toMatch(/no entry for linux\/arm64[\s\S]*no entry for darwin\/amd64[\s\S]*no entry for darwin\/arm64/);
    expect(found[0].message).toContain('pipectl plugin push --files linux/amd64=<binary>,linux/arm64=<binary>,darwin/amd64=<binary>,darwin/arm64=<binary>');
    expect(found[0].evidence).toEqual({ listed: ['linux/amd64'] });
  });

  it('fails a platform whose manifest has no plugin layer, two of them, or could not be read', () => {
    const found = checkOciPlatforms(
      index([manifest('linux/amd64', ['application/vnd.pipecd.piped.plugin.linux']), manifest('linux/arm64', [PLUGIN_MEDIA_TYPE, PLUGIN_MEDIA_TYPE]), { ...manifest('darwin/amd64'), layers: undefined, error: 'HTTP 404' }, manifest('darwin/arm64')]),
    );
    expect(messages(found)).toEqual([
      expect.stringMatching(/linux\/amd64 manifest .* has 0 layers of media type application\/vnd.pipecd.piped.plugin \(layers: application\/vnd.pipecd.piped.plugin.linux\); expected exactly one \(piped would download no plugin, CATALOGUE §8.2\)/),
      expect.stringMatching(/linux\/arm64 manifest .* has 2 layers .*piped would concatenate them/),
      expect.stringMatching(/darwin\/amd64 manifest sha256:darwin-amd64 of .* could not be read: HTTP 404/),
    ]);
  });

  it('fails a single manifest (no index): it names no platform', () => {
    expect(messages(checkOciPlatforms({ url: 'oci://r/p:v1', mediaType: MEDIA.manifest, digest: 'sha256:m', entries: [] }))).toEqual([
      expect.stringContaining('is a application/vnd.oci.image.manifest.v1+json (sha256:m), not an OCI image index'),
    ]);
  });
});
