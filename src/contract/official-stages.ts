// Stage names of the official pipedv1 plugins, as the catalogue cites them. piped routes stages by name and lets the
// plugin configured later win a clash silently (CATALOGUE §2.1), so a third-party plugin reusing one of these names
// takes over (or loses) that stage in every piped that also runs the official plugin (DEF-003).

export interface OfficialStage {
  name: string;
  /** The official plugin that defines it. */
  plugin: string;
  /** Where the catalogue (or upstream, at the catalogue's commit) shows it. */
  reference: string;
}

const KUBERNETES_REF = 'kubernetes/deployment/pipeline.go allStages (CATALOGUE §2.1)';

export const OFFICIAL_STAGES: readonly OfficialStage[] = [
  { name: 'WAIT', plugin: 'wait', reference: 'pkg/app/pipedv1/plugin/wait/plugin.go:57-59 (CATALOGUE §2.1)' },
  { name: 'WAIT_APPROVAL', plugin: 'waitapproval', reference: 'waitapproval/plugin.go:30-51 (CATALOGUE §2.5, §3.6)' },
  { name: 'SCRIPT_RUN', plugin: 'scriptrun', reference: 'scriptrun/plugin.go:158-160 (CATALOGUE §2.1)' },
  { name: 'SCRIPT_RUN_ROLLBACK', plugin: 'scriptrun', reference: 'scriptrun/plugin.go:158-160 (CATALOGUE §2.1, §2.6)' },
  { name: 'ANALYSIS', plugin: 'analysis', reference: 'analysis/executestage/analysis.go (CATALOGUE §2.9, §3.6)' },
  // piped itself treats a stage named ROLLBACK as a rollback stage (model/deployment.go:186-199, CATALOGUE §2.6).
  { name: 'ROLLBACK', plugin: 'piped', reference: 'pkg/model/deployment.go:186-199 (CATALOGUE §2.6)' },
  { name: 'K8S_SYNC', plugin: 'kubernetes', reference: KUBERNETES_REF },
  { name: 'K8S_PRIMARY_ROLLOUT', plugin: 'kubernetes', reference: KUBERNETES_REF },
  { name: 'K8S_CANARY_ROLLOUT', plugin: 'kubernetes', reference: KUBERNETES_REF },
  { name: 'K8S_CANARY_CLEAN', plugin: 'kubernetes', reference: KUBERNETES_REF },
  { name: 'K8S_BASELINE_ROLLOUT', plugin: 'kubernetes', reference: KUBERNETES_REF },
  { name: 'K8S_BASELINE_CLEAN', plugin: 'kubernetes', reference: KUBERNETES_REF },
  { name: 'K8S_TRAFFIC_ROUTING', plugin: 'kubernetes', reference: KUBERNETES_REF },
  { name: 'K8S_ROLLBACK', plugin: 'kubernetes', reference: KUBERNETES_REF },
];
