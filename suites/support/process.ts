// Plugin processes a suite starts on its own (bad configs, shutdown): a fresh fake piped each, always cleaned up.
import * as grpc from '@grpc/grpc-js';
import { startFakePiped } from '../../src/host/index.js';
import { loadProtocol } from '../../src/protocol/load.js';
import type { BadConfigFacts } from '../../src/contract/checks/index.js';
import { freePort } from '../../src/target/ports.js';
import type { ExitInfo, RunningPlugin } from '../../src/target/types.js';
import { runSpec, sessionOptions } from './shared.js';

/** One FetchDefinedStages attempt with a short deadline: true when it answered OK. */
export async function answersFetchDefinedStages(address: string, deadlineMs = 300): Promise<boolean> {
  const protocol = loadProtocol(runSpec().protoRoot);
  const client = new protocol.clients.deployment(address, grpc.credentials.createInsecure()) as any;
  try {
    return await new Promise<boolean>((resolve) => client.FetchDefinedStages({}, { deadline: Date.now() + deadlineMs }, (error: unknown) => resolve(!error)));
  } finally {
    client.close();
  }
}

/** Launches the plugin with `configText` as `--config` and watches it for `waitMs`: did it exit, did it serve? */
export async function launchWithRawConfig(variant: string, configText: (port: number) => string, waitMs = 10_000): Promise<BadConfigFacts> {
  const protocol = loadProtocol(runSpec().protoRoot);
  const host = await startFakePiped(protocol);
  const port = await freePort();
  const { launcher } = sessionOptions();
  let plugin: RunningPlugin | undefined;
  const started = Date.now();
  try {
    plugin = await launcher.start({ hostAddress: host.address, config: configText(port), port });
    let exit: ExitInfo | undefined;
    void plugin.exited.then((info) => (exit = info));
    let served = false;
    while (!exit && Date.now() - started < waitMs) {
      served ||= await answersFetchDefinedStages(`127.0.0.1:${port}`);
      if (!exit) await Promise.race([plugin.exited, new Promise((r) => setTimeout(r, 200))]);
    }
    return { variant, exit, served, waitedMs: Date.now() - started };
  } finally {
    await plugin?.stop(2_000);
    await host.close();
  }
}
