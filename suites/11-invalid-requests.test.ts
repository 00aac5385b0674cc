// API-003, generated: for every `(validate.rules)` rule reachable from a plugin-side request type, one request that
// breaks exactly that rule, derived from the loaded descriptors (src/generate/invalid.ts). The plugin should answer
// INVALID_ARGUMENT, as SDK plugins do. A rule added to proto/ becomes a new test here with no code change.
import { afterAll, describe, it } from 'vitest';
import { checkRejectsInvalidRequest } from '../src/contract/checks/index.js';
import { PLACEHOLDER_CHECKOUT, type CheckoutOf } from '../src/generate/arbitraries.js';
import { applyInvalidCase, invalidRequestCases, validBaseRequest, type BaseContext, type InvalidCase } from '../src/generate/invalid.js';
import * as req from '../src/generate/requests.js';
import { loadProtocol, type ServiceKey } from '../src/protocol/load.js';
import { validateMessage } from '../src/protocol/validate.js';
import { generatedTarget, reportUnavailableOnce } from './support/generated.js';
import { expectNoViolations, runSpec, useSession } from './support/shared.js';

const spec = runSpec();
const root = loadProtocol(spec.protoRoot).root;
/** How long a plugin may take to refuse (or, when it does not validate, to answer) one invalid request. */
const CALL_BUDGET_MS = 10_000;

function baseContext(checkout: CheckoutOf, ids: BaseContext['ids']): BaseContext {
  return { pluginName: spec.pluginName, deployTargets: spec.deployTargets.map((t) => t.name), checkout, ids };
}

/** Test names come from the descriptors, so they are known before any plugin runs. */
const family = invalidRequestCases(root, baseContext(PLACEHOLDER_CHECKOUT, { deploymentId: 'api-003', applicationId: 'api-003' }));

function valueText(value: unknown): string {
  if (value === null) return 'left out';
  if (Buffer.isBuffer(value)) return `${value.length} byte(s)`;
  return `set to ${JSON.stringify(value)}`;
}

async function sendInvalid(service: ServiceKey, method: string, c: InvalidCase, caseId: string) {
  const target = generatedTarget();
  const session = await target.session();
  const base = validBaseRequest(service, method, baseContext((app, commit) => session.workspace.checkout(app, commit), req.freshIds('api-003')));
  const request = applyInvalidCase(base, c);
  const broken = validateMessage(root, c.typeName, request);
  if (broken.length !== 1 || broken[0].path !== c.where || broken[0].rule !== c.rule) {
    throw new Error(`harness bug: the request for "${c.label}" breaks ${JSON.stringify(broken)} instead of exactly ${c.where} ${c.rule}`);
  }
  return target.call(service, method, request, { budgetMs: CALL_BUDGET_MS, caseId });
}

describe('API-003 generated: requests that break one validate rule each', () => {
  afterAll(() => generatedTarget().stop());

  for (const { method, cases, underivable } of family) {
    for (const c of cases) {
      it(`API-003 generated: ${c.label}`, async (ctx) => {
        await useSession(ctx); // a plugin that cannot start is reported once, by the setup error
        const send = () => sendInvalid(method.service, method.method, c, ctx.task.name).catch((error) => reportUnavailableOnce(ctx, error));
        let outcome = await send();
        // A plugin that exits right after answering an earlier call fails this one: only a crash that comes back on
        // a restarted plugin belongs to this request.
        if (outcome.exit) {
          const again = await send();
          if (!again.exit) outcome = again;
        }
        const crashed = outcome.exit ? ` (the plugin then ${outcome.exit.signal ? `was killed by ${outcome.exit.signal}` : `exited with code ${outcome.exit.code}`})` : '';
        expectNoViolations(checkRejectsInvalidRequest(`${method.method} with ${c.where} ${valueText(c.value)}${crashed}`, outcome));
      });
    }
    for (const u of underivable) {
      it(`API-003 generated: ${u.typeName.split('.').pop()}.${u.where} breaks ${u.rule}`, (ctx) => ctx.skip(`not run: ${u.reason}`));
    }
  }
});
