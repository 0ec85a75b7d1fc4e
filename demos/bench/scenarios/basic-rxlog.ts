import * as fs from 'node:fs';
import { LoggerConfiguration, type Logger } from '../../../lib/index';
import { FileSink } from '../../../lib/node/file/file-sink';
import { StreamSink } from '../../../lib/node/stream-sink';
import { nowNs } from '../support/clock';
import { reportFileRun } from '../support/file-run';
import { ACTION, HOT_TEMPLATE, USERS } from '../support/hot-path-workload';
import { runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';
import { waitForEvent } from '../support/wait-for-event';

// Scenarios 14 and 15 (rxlog), pino's basic benchmark: N information('hello world') calls into a
// FileSink (--to file), or N hot-path calls with two properties as CLEF into a Node
// fs.WriteStream through a StreamSink (--to stream, with --queue N); then close, end the stream, fsync.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 200_000);
  const file = args.text('file');
  const to = args.text('to');
  const stream = to === 'stream' ? fs.createWriteStream(file, { flags: 'a' }) : undefined;
  if (stream !== undefined) await waitForEvent(stream, 'ready');
  const sink = stream !== undefined ? new StreamSink({ stream }) : new FileSink(file);
  // An fs.WriteStream writes later, so a loop that never yields fills the sink's bounded queue,
  // which drops the oldest (counted). pino's stream keeps every line in memory: --queue N gives
  // rxlog a queue that holds the whole burst too, so both write every line.
  const queueLimit = args.number('queue', 0);
  const queue = queueLimit === 0 ? undefined : { limit: queueLimit, limitBytes: Math.max(16 * 1024 * 1024, queueLimit * 1024) };
  const log: Logger = new LoggerConfiguration().writeTo.sink(sink, { name: 'out', queue }).createLogger();
  const start = nowNs();
  if (stream === undefined) for (let i = 0; i < n; i++) log.information('hello world');
  else for (let i = 0; i < n; i++) log.information(HOT_TEMPLATE, USERS[i & 7], ACTION);
  const loopEnd = nowNs();
  const report = await log.close({ strategy: 'flush' });
  if (stream !== undefined) {
    const closed = waitForEvent(stream, 'close');
    stream.end();
    await closed;
  }
  reportFileRun(file, n, start, loopEnd, report.sinks.out);
});
