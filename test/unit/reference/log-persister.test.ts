// The stage log persister's ordering guarantees (SVC-004, SVC-005, SVC-006, EXEC-004, PROC-013).
import { describe, expect, it } from 'vitest';
import { StageLogPersister } from '../../../fixtures/plugins/reference/log-persister.js';
import type { PipedClient } from '../../../fixtures/plugins/reference/piped-client.js';

interface Sent {
  method: string;
  request: any;
}

function recordingPiped(): { piped: PipedClient; sent: Sent[] } {
  const sent: Sent[] = [];
  const piped = {
    call: async (method: string, request: object) => {
      sent.push({ method, request: structuredClone(request) });
      await new Promise((resolve) => setTimeout(resolve, 5));
      return {};
    },
  } as unknown as PipedClient;
  return { piped, sent };
}

const target = { deploymentId: 'd', stageId: 's', retriedCount: 0 };
const fast = { flushMs: 10, checkpointMs: 60_000 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('StageLogPersister', () => {
  it('flushes new blocks, then seals everything since the checkpoint with completed=true, last', async () => {
    const { piped, sent } = recordingPiped();
    const log = new StageLogPersister(piped, target, fast);
    log.info('one\n\n  \ntwo');
    await sleep(40);
    log.success('three');
    await log.complete();
    log.info('ignored after completion');
    await sleep(40);
    expect(sent.at(-1)?.method).toBe('ReportStageLogsFromLastCheckpoint');
    expect(sent.at(-1)?.request.completed).toBe(true);
    expect(sent.at(-1)?.request.blocks.map((b: any) => b.log)).toEqual(['one', 'two', 'three']);
    expect(sent.filter((s) => s.request.completed)).toHaveLength(1);
    const indexes = sent.at(-1)!.request.blocks.map((b: any) => Number(b.index));
    expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
    expect(new Set(indexes).size).toBe(indexes.length);
  });

  it('uses fresh, larger indexes for a re-executed stage', async () => {
    const first = recordingPiped();
    const a = new StageLogPersister(first.piped, target, fast);
    a.info('x');
    a.info('y');
    await a.complete();
    const second = recordingPiped();
    const b = new StageLogPersister(second.piped, target, fast);
    b.info('z');
    await b.complete();
    const last = Math.max(...first.sent.at(-1)!.request.blocks.map((x: any) => Number(x.index)));
    expect(Number(second.sent.at(-1)!.request.blocks[0].index)).toBeGreaterThan(last);
  });

  it('sends nothing after being abandoned', async () => {
    const { piped, sent } = recordingPiped();
    const log = new StageLogPersister(piped, target, fast);
    log.info('before');
    log.abandon();
    log.info('after');
    await sleep(40);
    expect(sent).toEqual([]);
  });

  it('does not seal the log when flushing for shutdown', async () => {
    const { piped, sent } = recordingPiped();
    const log = new StageLogPersister(piped, target, fast);
    log.info('unfinished');
    await log.flushWithoutCompleting();
    expect(sent.some((s) => s.request.completed)).toBe(false);
    expect(sent.at(-1)?.request.blocks.map((b: any) => b.log)).toEqual(['unfinished']);
  });

  it('makes no checkpoint call when there is nothing to report', async () => {
    const { piped, sent } = recordingPiped();
    await new StageLogPersister(piped, target, fast).complete();
    expect(sent).toEqual([]);
  });
});
