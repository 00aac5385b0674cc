// What a plugin is, judged from its answers: a stage plugin or a deployment plugin, and which optional services it
// serves. Rules that apply to one kind or one optional service ask this, so a rule that does not apply is reported
// as unsupported, never as passed. Pure: the suites gather the outcomes (suites/support/facts.ts).
import type { CallOutcome } from '../session-types.js';
import { pluginKindFromQuickSync } from './checks/planning.js';

export type PluginKind = 'stage' | 'deployment';

export interface Capabilities {
  kind: PluginKind;
  /** LivestateService answers something other than UNIMPLEMENTED. */
  livestate: boolean;
  /** PlanPreviewService answers something other than UNIMPLEMENTED. */
  planPreview: boolean;
}

/** The answers capabilities are decided from. */
export interface CapabilityProbes {
  /** BuildQuickSyncStages with rollback=true. */
  quickSync: CallOutcome;
  /** DetermineStrategy with a valid input. */
  strategy: CallOutcome;
  livestate: CallOutcome;
  planPreview: CallOutcome;
}

const UNIMPLEMENTED = 12;

/**
 * The SDK's stage plugins answer BuildQuickSyncStages with no stages and DetermineStrategy with unsupported=true
 * (CATALOGUE §2.9); deployment plugins plan at least one quick-sync stage. BuildQuickSyncStages decides, because a
 * stage plugin that wrongly picks a strategy must still be judged as a stage plugin (PLAN-005). Only when it gave no
 * usable answer does DetermineStrategy decide, and when neither did, the plugin is judged by the stricter
 * deployment-plugin rules. FetchDefinedStages cannot tell the kinds apart: both define the stages they plan.
 */
export function pluginKind(probes: Pick<CapabilityProbes, 'quickSync' | 'strategy'>): PluginKind {
  const { quickSync, strategy } = probes;
  if (quickSync.ok) return pluginKindFromQuickSync(quickSync.response);
  if (strategy.ok) return strategy.response?.unsupported === true ? 'stage' : 'deployment';
  return 'deployment';
}

/** An optional service counts as served unless it answers UNIMPLEMENTED, what an unregistered service answers. */
export function servesOptional(outcome: CallOutcome): boolean {
  return outcome.ok || outcome.status.code !== UNIMPLEMENTED;
}

export function capabilitiesOf(probes: CapabilityProbes): Capabilities {
  return { kind: pluginKind(probes), livestate: servesOptional(probes.livestate), planPreview: servesOptional(probes.planPreview) };
}

/** One line for people: `stage plugin; LivestateService: no; PlanPreviewService: no`. */
export function describeCapabilities(capabilities: Capabilities): string {
  const yesNo = (served: boolean) => (served ? 'yes' : 'no (UNIMPLEMENTED)');
  return `${capabilities.kind} plugin; LivestateService: ${yesNo(capabilities.livestate)}; PlanPreviewService: ${yesNo(capabilities.planPreview)}`;
}
