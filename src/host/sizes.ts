// Encoded request sizes. piped's PluginService keeps gRPC's default 4 MiB receive limit (CATALOGUE §1.7), so the
// fake reads larger requests only to record them (PROC-018) and then refuses them exactly as piped would.
import * as grpc from '@grpc/grpc-js';
import { recordedStatus } from './status.js';
import type { RecordedStatus } from './types.js';

/** gRPC's default receive limit, which piped keeps on both sides of the plugin protocol. */
export const GRPC_DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** What the fake's server reads at all: far above piped's limit, so an oversized callback still reaches the journal. */
export const FAKE_RECEIVE_LIMIT_BYTES = 64 * 1024 * 1024;

/** Remembers the wire size of each request object the server decoded. */
export class RequestSizes {
  private readonly sizes = new WeakMap<object, number>();

  /** The service definition with each request decoder measuring the bytes it decodes. */
  measure(definition: grpc.ServiceDefinition): grpc.ServiceDefinition {
    const measure = (attrs: grpc.MethodDefinition<unknown, unknown>) => ({
      ...attrs,
      requestDeserialize: (bytes: Buffer) => {
        const request = attrs.requestDeserialize(bytes);
        if (typeof request === 'object' && request !== null) this.sizes.set(request, bytes.length);
        return request;
      },
    });
    return Object.fromEntries(Object.entries(definition).map(([method, attrs]) => [method, measure(attrs)]));
  }

  of(request: unknown): number | undefined {
    return typeof request === 'object' && request !== null ? this.sizes.get(request) : undefined;
  }
}

/** piped's answer to a request above the limit (grpc-go's wording), or undefined when the size is fine. */
export function oversizedStatus(requestBytes: number | undefined): RecordedStatus | undefined {
  if (requestBytes === undefined || requestBytes <= GRPC_DEFAULT_MAX_MESSAGE_BYTES) return undefined;
  return recordedStatus(grpc.status.RESOURCE_EXHAUSTED, `grpc: received message larger than max (${requestBytes} vs. ${GRPC_DEFAULT_MAX_MESSAGE_BYTES})`);
}
