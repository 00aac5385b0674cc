// Fault injection: a plan of rules (data, so scripted cases can carry them) and the pick for each call.
import * as grpc from '@grpc/grpc-js';
import { statusCode } from './status.js';
import type { FaultKind, FaultRule } from './types.js';

const KINDS: readonly FaultKind[] = ['error', 'latency', 'hang'];

/** A rule chosen for one call, with what the journal calls it (`error:UNAVAILABLE`, `latency:200ms`, `hang`). */
export interface ChosenFault {
  rule: FaultRule;
  label: string;
  /** For `error`: the status to answer with. */
  code: grpc.status;
  message: string;
}

function fieldAt(request: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<any>((value, part) => value?.[part], request);
}

function matches(rule: FaultRule, rpc: string, request: unknown): boolean {
  if (rule.rpc !== '*' && rule.rpc !== rpc) return false;
  return Object.entries(rule.match ?? {}).every(([field, expected]) => String(fieldAt(request, field)) === expected);
}

/** Refuses a malformed rule when the plan is set, not when a plugin call happens to hit it. */
function checkRule(rule: FaultRule, rpcs: readonly string[], where: string): void {
  if (rule.rpc !== '*' && !rpcs.includes(rule.rpc)) throw new Error(`${where}: unknown PluginService method ${JSON.stringify(rule.rpc)}`);
  if (!KINDS.includes(rule.kind)) throw new Error(`${where}: kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(rule.kind)}`);
  if (rule.kind === 'error' && rule.code !== undefined) {
    const code = statusCode(rule.code);
    if (code === undefined || code === grpc.status.OK) throw new Error(`${where}: ${JSON.stringify(rule.code)} is not a gRPC error status name`);
  }
  if (rule.kind === 'latency' && !(typeof rule.delayMs === 'number' && rule.delayMs >= 0)) throw new Error(`${where}: latency needs delayMs >= 0`);
  if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times >= 0)) throw new Error(`${where}: times must be a whole number >= 0`);
}

export class FaultPlan {
  private rules: { rule: FaultRule; used: number }[] = [];

  constructor(private readonly rpcs: readonly string[]) {}

  /** Replaces the plan and resets every rule's `times` budget. Throws on a malformed rule. */
  set(rules: FaultRule[]): void {
    rules.forEach((rule, i) => checkRule(rule, this.rpcs, `fault rule ${i}`));
    this.rules = rules.map((rule) => ({ rule: { ...rule }, used: 0 }));
  }

  /** The first rule that matches and still has budget, spending one use of it. */
  pick(rpc: string, request: unknown): ChosenFault | undefined {
    const slot = this.rules.find(({ rule, used }) => (rule.times === undefined || used < rule.times) && matches(rule, rpc, request));
    if (!slot) return undefined;
    slot.used++;
    return describe(slot.rule);
  }
}

function describe(rule: FaultRule): ChosenFault {
  // UNAVAILABLE is what a plugin sees when piped is briefly unreachable, the most common real failure.
  const codeName = rule.code ?? 'UNAVAILABLE';
  const code = statusCode(codeName) ?? grpc.status.UNAVAILABLE;
  const label = rule.kind === 'error' ? `error:${codeName}` : rule.kind === 'latency' ? `latency:${rule.delayMs}ms` : 'hang';
  return { rule, label, code, message: rule.message ?? 'injected fault' };
}
