import pino from 'pino';
import { nowNs, peakRssMiB } from '../support/clock';
import { countLines, fsyncPath } from '../support/file-lines';
import { ACTION, hotPathResult, USERS } from '../support/hot-path-workload';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';
import { waitForEvent } from '../support/wait-for-event';

/** Bytes pino's buffered destination gathers before one `writeSync` (pino's own benchmarks use 4 096). */
const BUFFERED_MIN_LENGTH = 4096;

/** What a pino destination looks like to this harness: pino's stream that can also be ended and says when it closed. */
type Destination = pino.DestinationStream & NodeJS.EventEmitter & { end(): void };

/**
 * The pino set-ups of scenario 1: default (synchronous) destination, the same with a write buffer
 * (`minLength`, as pino's own benchmarks' `PinoMinLength`, but synchronous like rxlog's FileSink,
 * which gathers a batch and writes it with one `writeSync`), `sync: false`, worker transport.
 */
function destination(mode: string, file: string): Destination {
  switch (mode) {
    case 'sync':
      return pino.destination({ dest: file, sync: true });
    case 'buffered':
      return pino.destination({ dest: file, sync: true, minLength: BUFFERED_MIN_LENGTH });
    case 'async':
      return pino.destination({ dest: file, sync: false });
    case 'transport':
      return pino.transport({ target: 'pino/file', options: { destination: file } });
    default:
      throw new Error(`unknown pino mode ${mode}`);
  }
}

// Scenario 1 (pino): N info() calls with the same two properties, then end the destination and fsync.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 200_000);
  const file = args.text('file');
  const mode = args.text('mode');
  const dest = destination(mode, file);
  // Start-up (opening the file, starting the worker) is not timed, in pino's favour.
  if (mode === 'async' || mode === 'transport') await waitForEvent(dest, 'ready');
  const logger = pino(dest);
  const start = nowNs();
  for (let i = 0; i < n; i++) logger.info({ User: USERS[i & 7], Action: ACTION }, 'User did something');
  const loopEnd = nowNs();
  const closed = waitForEvent(dest, 'close');
  dest.end();
  await closed;
  fsyncPath(file);
  const end = nowNs();
  reportResult({
    ...hotPathResult({ n, loopNs: loopEnd - start, endToEndNs: end - start, lines: countLines(file) }),
    peakRssMiB: peakRssMiB(),
  });
});
