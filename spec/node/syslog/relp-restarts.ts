import type { EmitResult } from '../../../lib/core/sink';
import { PartialDeliveryError } from '../../../lib/core/errors/partial-delivery-error';
import type { SyslogSink } from '../../../lib/node/syslog/syslog-sink';
import { makeEvent } from '../../helpers/events';

/** A real rsyslogd with an imrelp input, as a restart test drives it. */
export interface RelpReceiver {
  /** The messages rsyslogd has written so far. */
  received(): string[];
  /** rsyslogd's own output, for a failure's message. */
  output(): string;
  stop(): Promise<void>;
  /** Starts rsyslogd again on the same port. */
  restart(): void;
}

/**
 * Sends batches through a RELP `sink` while `receiver` is stopped and restarted, and checks that
 * every message counted delivered (emit resolved, or a PartialDeliveryError counted it) is in
 * rsyslogd's output: `rounds` times, SIGTERM once rsyslogd has written the first event of a batch
 * of 20 000 (157 windows of 128), each batch then acknowledged part way; with
 * `stopBetweenBatches`, first a batch sent while nothing listens, which fails whole. Closes `sink`.
 */
export async function expectNothingLostAcrossRestarts(
  sink: SyslogSink,
  receiver: RelpReceiver,
  pollUntil: <T>(check: () => T | undefined | Promise<T | undefined>, describe: () => string) => Promise<T>,
  options: { readonly tag: string; readonly rounds: number; readonly stopBetweenBatches: boolean },
): Promise<void> {
  const delivered: string[] = [];
  let batches = 0;
  /** How many events of each batch rsyslogd was stopped during counted delivered. */
  const partial: number[] = [];
  /** Sends a batch of `size`; how many of its events counted delivered (a retry would send the rest). */
  const send = async (size: number): Promise<number> => {
    const texts = Array.from({ length: size }, (_, i) => `batch ${batches} event ${i} ${options.tag}`);
    batches++;
    try {
      const result = (await sink.emit(texts.map((text) => makeEvent({ text })))) as EmitResult | undefined;
      expect(result).toBeUndefined();
      delivered.push(...texts);
      return size;
    } catch (error) {
      const done = error instanceof PartialDeliveryError ? error.delivered : 0;
      delivered.push(...texts.slice(0, done));
      return done;
    }
  };
  const restarted = (): Promise<boolean> =>
    pollUntil(
      async () => ((await send(3)) === 3 ? true : undefined),
      () => `rsyslogd did not take a RELP session once restarted; its output:\n${receiver.output()}`,
    );
  try {
    expect(await send(3)).toBe(3);
    if (options.stopBetweenBatches) {
      await receiver.stop();
      expect(await send(3)).toBe(0);
      receiver.restart();
      await restarted();
    }
    for (let round = 0; round < options.rounds; round++) {
      const first = `batch ${batches} event 0 ${options.tag}`;
      const sending = send(20_000);
      await pollUntil(
        () => (receiver.received().includes(first) ? true : undefined),
        () => `the batch did not reach rsyslogd; its output:\n${receiver.output()}`,
      );
      await receiver.stop();
      partial.push(await sending);
      receiver.restart();
      await restarted();
    }
    // Stopped part way: some of each batch acknowledged, the rest failed (a retry would send it).
    expect(partial.filter((done) => done > 0 && done < 20_000)).toHaveLength(partial.length);
    await sink.close();
    const last = delivered[delivered.length - 1];
    await pollUntil(
      () => (receiver.received().includes(last) ? true : undefined),
      () => `the last batch did not reach rsyslogd; its output:\n${receiver.output()}`,
    );
    const lines = new Set(receiver.received());
    expect(delivered.filter((text) => !lines.has(text))).toEqual([]);
  } finally {
    await sink.close();
  }
}

/**
 * Checks what rsyslogd wrote of a logger's events, `mine`, against `expected`, in order: each
 * exactly once when the sink sent nothing again (`retried` 0). A session that broke under load
 * (no answer within `writeTimeoutMs`) is sent again from its first unanswered message, which
 * rsyslogd may have taken already: RELP is at least once there, as docs/node.md says. Then every
 * event is still there, first seen in order, and only a resent window (at most 128) twice.
 */
export function expectEachOnceUnlessResent(mine: readonly string[], expected: readonly string[], retried: number): void {
  if (retried === 0) {
    expect(mine).toEqual(expected);
    return;
  }
  expect([...new Set(mine)]).toEqual(expected);
  expect(mine.length - expected.length).toBeLessThanOrEqual(128 * retried);
}
