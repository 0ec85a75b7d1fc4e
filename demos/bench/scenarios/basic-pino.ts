import * as fs from 'node:fs';
import pino from 'pino';
import { nowNs, peakRssMiB } from '../support/clock';
import { countLines, fsyncPath } from '../support/file-lines';
import { ACTION, hotPathResult, USERS } from '../support/hot-path-workload';
import { reportResult, runScenario } from '../support/report-result';
import { scenarioArgs } from '../support/scenario-args';
import { waitForEvent } from '../support/wait-for-event';

/** What the harness needs of a destination: pino's stream that can also be ended and says when it closed. */
type Destination = pino.DestinationStream & NodeJS.EventEmitter & { end(): void };

/**
 * The destinations of pino's basic benchmark (`plogDest`, `plogMinLength`, `plogNodeStream`), to a
 * file: the default synchronous destination, the same with a 4 KiB buffer, a Node fs.WriteStream.
 */
function destination(mode: string, file: string): Destination {
  switch (mode) {
    case 'sync':
      return pino.destination({ dest: file, sync: true });
    case 'buffered':
      return pino.destination({ dest: file, sync: true, minLength: 4096 });
    case 'stream':
      return fs.createWriteStream(file, { flags: 'a' });
    default:
      throw new Error(`unknown pino mode ${mode}`);
  }
}

// Scenarios 14 and 15 (pino), its basic benchmark: N info('hello world') calls (--to file), or N
// calls with the hot path's two properties into a Node fs.WriteStream (--to stream); then end
// the destination and fsync.
runScenario(async () => {
  const args = scenarioArgs();
  const n = args.number('n', 200_000);
  const file = args.text('file');
  const to = args.text('to');
  const mode = args.text('mode');
  const dest = destination(mode, file);
  if (mode === 'stream') await waitForEvent(dest, 'ready');
  const logger = pino(dest);
  const start = nowNs();
  if (to === 'file') for (let i = 0; i < n; i++) logger.info('hello world');
  else for (let i = 0; i < n; i++) logger.info({ User: USERS[i & 7], Action: ACTION }, 'User did something');
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
