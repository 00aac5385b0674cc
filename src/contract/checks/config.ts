// Configuration checks (CONF): the `--config` JSON shapes piped sends, and the plugin name as its identity.
import type { JournalEntry } from '../../host/types.js';
import type { CallOutcome } from '../../session-types.js';
import type { Violation } from '../violation.js';
import { entryLabel, enumText, outcomeText, violation } from './common.js';
import { notReadyViolation, type BadConfigFacts, type LaunchFacts } from './process.js';

/** CONF-001: ready with the `PipedPlugin` shape piped sends: deploy targets whose config is null, with labels, or none. */
export function checkAcceptsPipedConfigShape(facts: LaunchFacts): Violation[] {
  return notReadyViolation('CONF-001', facts, 'piped sends this shape (pkg/configv1/piped.go PipedPlugin), so the plugin must accept it');
}

/** CONF-002: ready when `--config` carries fields the plugin does not know (piped may add fields). */
export function checkIgnoresUnknownFields(facts: LaunchFacts): Violation[] {
  return notReadyViolation('CONF-002', facts, 'ignore unknown fields, as Go\'s encoding/json does, so a newer piped can add fields');
}

/** CONF-005: ready without a `config` field, which piped leaves out when the plugin config is empty. */
export function checkAcceptsAbsentConfig(facts: LaunchFacts): Violation[] {
  return notReadyViolation('CONF-005', facts, 'treat an absent `config` as `{}` and apply defaults (piped omits an empty config)');
}

/** CONF-004: a plugin that needs deploy targets refuses to start without any, rather than failing later. */
export function checkRefusesWithoutTargets(facts: BadConfigFacts): Violation[] {
  const out: Violation[] = [];
  if (facts.served) out.push(violation('CONF-004', `launched ${facts.variant}, the plugin served FetchDefinedStages; a deployment plugin should refuse to start without deploy targets`));
  if (!facts.exit) out.push(violation('CONF-004', `launched ${facts.variant}, the plugin was still running after ${facts.waitedMs} ms; it should exit non-zero`));
  else if (facts.exit.code === 0) out.push(violation('CONF-004', `launched ${facts.variant}, the plugin exited with code 0; refusing to start should give a non-zero exit`));
  return out;
}

/** One ExecuteStage of the same stage under the usual name and under the random name (CONF-003). */
export interface RenamedExecution {
  stageName: string;
  /** Deploy targets sent under `deploy_targets_by_plugin[<random name>]` (none for a stage plugin). */
  deployTargets: string[];
  /** Under the run's usual name, targets keyed by that name. */
  usual: CallOutcome;
  /** Under the random name, targets keyed by the random name. */
  renamed: CallOutcome;
}

/** What a plugin launched under a random name did with it (CONF-003). */
export interface RenamedFacts {
  /** The random `config.name` it was launched with. */
  name: string;
  /** The name the rest of the run uses. */
  usualName: string;
  /** Every PluginService call the renamed plugin made. */
  callbacks: readonly JournalEntry[];
  execution?: RenamedExecution;
  /** GetLivestate under the random name, when the plugin serves it. */
  livestate?: CallOutcome;
}

/** CONF-003: callbacks, ResourceStates and deploy-target lookups all use the configured name. */
export function checkUsesConfiguredName(facts: RenamedFacts): Violation[] {
  return [...namedCallbacks(facts), ...namedResources(facts), ...targetLookup(facts)];
}

function namedCallbacks(facts: RenamedFacts): Violation[] {
  return facts.callbacks
    .filter((e) => typeof e.request?.plugin_name === 'string' && e.request.plugin_name !== facts.name)
    .map((e) => violation('CONF-003', `${entryLabel(e)} carries plugin_name ${JSON.stringify(e.request.plugin_name)}, but the plugin was launched as ${JSON.stringify(facts.name)}`));
}

function namedResources(facts: RenamedFacts): Violation[] {
  const outcome = facts.livestate;
  if (!outcome?.ok) return [];
  const resources: any[] = outcome.response?.application_live_state?.resources ?? [];
  return resources
    .filter((r) => r?.plugin_name !== facts.name)
    .map((r) => violation('CONF-003', `GetLivestate resource ${JSON.stringify(r?.id ?? '')} has plugin_name ${JSON.stringify(r?.plugin_name ?? '')}, but the plugin was launched as ${JSON.stringify(facts.name)}`));
}

/** Judged against the same stage under the usual name: only a success there makes a failure here a finding. */
function targetLookup(facts: RenamedFacts): Violation[] {
  const run = facts.execution;
  if (!run || !succeeded(run.usual) || succeeded(run.renamed)) return [];
  const where = run.deployTargets.length ? ` with deploy targets under deploy_targets_by_plugin[${JSON.stringify(facts.name)}]` : '';
  return [violation('CONF-003', `ExecuteStage of ${JSON.stringify(run.stageName)}${where} answered ${resultText(run.renamed)}, while under the usual name ${JSON.stringify(facts.usualName)} it succeeded; the plugin must use config.name, not a built-in name`)];
}

function succeeded(outcome: CallOutcome): boolean {
  return outcome.ok && outcome.response?.status === 'STAGE_SUCCESS';
}

function resultText(outcome: CallOutcome): string {
  return outcome.ok ? `OK with status ${enumText(outcome.response?.status)}` : outcomeText(outcome);
}
