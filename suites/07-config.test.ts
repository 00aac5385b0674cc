// CONF: the `--config` shapes piped sends (null target configs, labels, no targets, no plugin config, fields added by
// a newer piped) and the plugin name as the plugin's identity. Each test launches its own plugin, concurrently.
import { describe, it, type TestContext } from 'vitest';
import {
  checkAcceptsAbsentConfig, checkAcceptsPipedConfigShape, checkIgnoresUnknownFields, checkRefusesWithoutTargets, checkUsesConfiguredName,
} from '../src/contract/checks/index.js';
import type { PipedPluginConfig } from '../src/launch/types.js';
import { planFacts, type PluginKind } from './support/facts.js';
import { launchUntilReady, launchWithRawConfig, runConfig, runUnderRandomName } from './support/process.js';
import { expectNoViolations, requireOwnProcess, sessionOptions, unsupported, useSession } from './support/shared.js';

/** Stage plugin or deployment plugin, as the shared plugin's plans show. */
async function pluginKind(ctx: TestContext): Promise<PluginKind> {
  requireOwnProcess(ctx);
  return (await planFacts(await useSession(ctx))).kind;
}

/** The run's config with `change` applied to a copy. */
function variantOf(change: (config: PipedPluginConfig & Record<string, unknown>) => void): (port: number, url: string) => PipedPluginConfig {
  return (port, url) => {
    const config = structuredClone(runConfig(port, url)) as PipedPluginConfig & Record<string, unknown>;
    change(config);
    return config;
  };
}

function isEmptyConfig(config: unknown): boolean {
  return config === undefined || config === null || (typeof config === 'object' && !Array.isArray(config) && Object.keys(config).length === 0);
}

describe.concurrent('CONF --config shapes and the plugin name', () => {
  it('CONF-003 uses config.name in callbacks, ResourceState.plugin_name and deploy_targets_by_plugin', async (ctx) => {
    requireOwnProcess(ctx);
    expectNoViolations(checkUsesConfiguredName(await runUnderRandomName(await useSession(ctx))));
  });

  it('CONF-001 becomes ready with the PipedPlugin shape: labelled deploy targets (config null when none is set), or no targets for a stage plugin', async (ctx) => {
    const kind = await pluginKind(ctx);
    // Target configs stay as configured: piped sends null only for a target configured without one, and a plugin
    // that needs a target setting (a directory, a cluster) rightly refuses a target that lacks it.
    const facts = kind === 'deployment'
      ? await launchUntilReady({
        variant: 'deploy targets that carry labels, each with its configured config (null when it has none)',
        config: variantOf((c) => (c.deployTargets = (c.deployTargets ?? []).map((t) => ({ name: t.name, labels: { 'plugin-conformance/label': 'yes' }, config: t.config ?? null })))),
      })
      : await launchUntilReady({ variant: 'no deployTargets field (a stage plugin)', config: variantOf((c) => delete c.deployTargets) });
    expectNoViolations(checkAcceptsPipedConfigShape(facts));
  });

  it('CONF-002 becomes ready with unknown fields at the top level and in a deploy target', async (ctx) => {
    requireOwnProcess(ctx);
    const facts = await launchUntilReady({
      variant: 'an unknown field "x-extra" at the top level and in each deploy target',
      config: variantOf((c) => {
        c['x-extra'] = 1;
        if (c.deployTargets) c.deployTargets = c.deployTargets.map((t) => ({ ...t, 'x-extra': 1 }));
      }),
    });
    expectNoViolations(checkIgnoresUnknownFields(facts));
  });

  it('CONF-004 a deployment plugin launched without deploy targets exits non-zero without serving', async (ctx) => {
    if ((await pluginKind(ctx)) !== 'deployment') unsupported(ctx, 'a stage plugin may start without deploy targets');
    const withoutTargets = variantOf((c) => delete c.deployTargets);
    const { url } = sessionOptions().launcher;
    const facts = await launchWithRawConfig('without deployTargets', (port) => JSON.stringify(withoutTargets(port, url)));
    expectNoViolations(checkRefusesWithoutTargets(facts));
  });

  it('CONF-005 becomes ready without a `config` field, as with `config: {}` (piped leaves an empty plugin config out)', async (ctx) => {
    requireOwnProcess(ctx);
    const absent = launchUntilReady({ variant: 'no `config` field', config: variantOf((c) => delete c.config) });
    // A plugin that needs settings refuses `{}` too, and rightly; the rule is only that absent means `{}`.
    if (!isEmptyConfig(sessionOptions().pluginConfig)) {
      const empty = await launchUntilReady({ variant: '`config: {}`', config: variantOf((c) => (c.config = {})) });
      if (!empty.ready) {
        await absent;
        unsupported(ctx, 'the plugin does not start with `config: {}` either (it needs settings), so there is no default to apply');
      }
    }
    expectNoViolations(checkAcceptsAbsentConfig(await absent));
  });
});
