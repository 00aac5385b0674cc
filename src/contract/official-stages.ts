// Stage names of the official pipedv1 plugins, as the catalogue cites them. piped routes stages by name and lets the
// plugin configured later win a clash silently (CATALOGUE §2.1), so a third-party plugin reusing one of these names
// takes over (or loses) that stage in every piped that also runs the official plugin (DEF-003).
//
// Erratum §8.11: DEF-003 is not a finding for the official plugin itself, recognised by the name it is configured
// under (`spec.plugins[].name` in the piped config, the harness's `--name`) together with its exact stage set. Each
// official plugin therefore carries the names users give it and its full FetchDefinedStages answer.

export interface OfficialStage {
  name: string;
  /** The official plugin that defines it. */
  plugin: string;
  /** Where the catalogue (or upstream, at the catalogue's commit) shows it. */
  reference: string;
}

export interface OfficialPlugin {
  /** The plugin, as upstream names its folder (pkg/app/pipedv1/plugin/<plugin>); `piped` for piped itself. */
  plugin: string;
  /**
   * The names users configure it under (`spec.plugins[].name`, which is also the key of `spec.plugins.<name>` in the
   * application config, CATALOGUE §1.3). Empty when nothing can be configured under a name (piped itself).
   */
  configuredNames: readonly string[];
  /** Where those names come from. */
  namesReference: string;
  /** Its full FetchDefinedStages answer, each name with where it is shown. */
  stages: readonly { name: string; reference: string }[];
}

const KUBERNETES_REF = 'kubernetes/deployment/pipeline.go allStages (CATALOGUE §2.1)';

// The configured names were checked in upstream pipe-cd/pipecd (not at the catalogue's commit; these files are docs):
// docs/content/en/docs-dev/user-guide/plugins/{wait,waitapproval,scriptrun,analysis}.md (piped config examples),
// pkg/app/pipedv1/plugin/kubernetes/README.md and cmd/pipedv1/README-usage-alpha.md (`- name: kubernetes`, `- name:
// wait`). No upstream file found shows another spelling (searched for `name: wait-approval`: only unrelated
// projects), so `wait-approval`, `wait_approval`, `script-run` and the like are NOT listed; a user who configures an
// official plugin under another name is, to this check, a plugin borrowing the official stage names.
export const OFFICIAL_PLUGINS: readonly OfficialPlugin[] = [
  {
    plugin: 'wait',
    configuredNames: ['wait'],
    namesReference: 'docs-dev/user-guide/plugins/wait.md; cmd/pipedv1/README-usage-alpha.md',
    stages: [{ name: 'WAIT', reference: 'pkg/app/pipedv1/plugin/wait/plugin.go:57-59 (CATALOGUE §2.1)' }],
  },
  {
    plugin: 'waitapproval',
    configuredNames: ['waitapproval'],
    namesReference: 'docs-dev/user-guide/plugins/waitapproval.md',
    stages: [{ name: 'WAIT_APPROVAL', reference: 'waitapproval/plugin.go:30-51 (CATALOGUE §2.5, §3.6)' }],
  },
  {
    plugin: 'scriptrun',
    configuredNames: ['scriptrun'],
    namesReference: 'docs-dev/user-guide/plugins/scriptrun.md',
    stages: [
      { name: 'SCRIPT_RUN', reference: 'scriptrun/plugin.go:158-160 (CATALOGUE §2.1)' },
      { name: 'SCRIPT_RUN_ROLLBACK', reference: 'scriptrun/plugin.go:158-160 (CATALOGUE §2.1, §2.6)' },
    ],
  },
  {
    plugin: 'analysis',
    configuredNames: ['analysis'],
    namesReference: 'docs-dev/user-guide/plugins/analysis.md',
    // analysis/plugin.go FetchDefinedStages returns only ANALYSIS.
    stages: [{ name: 'ANALYSIS', reference: 'analysis/executestage/analysis.go (CATALOGUE §2.9, §3.6)' }],
  },
  {
    // piped itself treats a stage named ROLLBACK as a rollback stage (model/deployment.go:186-199, CATALOGUE §2.6).
    // No plugin is piped, so this name is a finding for every plugin.
    plugin: 'piped',
    configuredNames: [],
    namesReference: 'piped is not a configured plugin',
    stages: [{ name: 'ROLLBACK', reference: 'pkg/model/deployment.go:186-199 (CATALOGUE §2.6)' }],
  },
  {
    plugin: 'kubernetes',
    configuredNames: ['kubernetes'],
    namesReference: 'pkg/app/pipedv1/plugin/kubernetes/README.md; cmd/pipedv1/README-usage-alpha.md',
    stages: [
      'K8S_SYNC', 'K8S_PRIMARY_ROLLOUT', 'K8S_CANARY_ROLLOUT', 'K8S_CANARY_CLEAN',
      'K8S_BASELINE_ROLLOUT', 'K8S_BASELINE_CLEAN', 'K8S_TRAFFIC_ROUTING', 'K8S_ROLLBACK',
    ].map((name) => ({ name, reference: KUBERNETES_REF })),
  },
];

/** Every official stage name with its plugin, one entry per name. */
export const OFFICIAL_STAGES: readonly OfficialStage[] = OFFICIAL_PLUGINS.flatMap((p) =>
  p.stages.map((s) => ({ name: s.name, plugin: p.plugin, reference: s.reference })),
);
