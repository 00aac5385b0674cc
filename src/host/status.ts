// gRPC statuses as the fake piped raises and records them.
import * as grpc from '@grpc/grpc-js';
import type { RecordedStatus } from './types.js';

/** An error that reaches the plugin as a specific gRPC status, as piped's handlers return `status.Error(...)`. */
export class RpcError extends Error {
  constructor(readonly code: grpc.status, message: string) {
    super(message);
    this.name = 'RpcError';
  }
}

/** The canonical name of a status code, e.g. `UNAVAILABLE`. */
export function statusName(code: number): string {
  return grpc.status[code] ?? `CODE_${code}`;
}

/** The numeric code for a status name such as `NOT_FOUND`, or undefined if no such status exists. */
export function statusCode(name: string): grpc.status | undefined {
  const code = (grpc.status as unknown as Record<string, unknown>)[name];
  return typeof code === 'number' ? code : undefined;
}

export function recordedStatus(code: number, details: string): RecordedStatus {
  return { code, codeName: statusName(code), details };
}

/**
 * What a thrown value becomes on the wire. Anything that is not an RpcError is a bug in the harness, not in the
 * plugin, so the details say so plainly.
 */
export function statusOfError(error: unknown): RecordedStatus {
  if (error instanceof RpcError) return recordedStatus(error.code, error.message);
  const text = error instanceof Error ? error.message : String(error);
  return recordedStatus(grpc.status.UNKNOWN, `harness error: ${text}`);
}
