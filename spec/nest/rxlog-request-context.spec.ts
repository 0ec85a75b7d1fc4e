import type { LogLevelName } from '../../lib/core/log-level';
import { requestLoggingSettings } from '../../lib/nest/request-logging-settings';
import { RxlogRequestContext } from '../../lib/nest/rxlog-request-context';
import { memoryLogger } from '../helpers/node-http';

describe('RxlogRequestContext', () => {
  it('writes the completion event at the default level when the level option returns no level name', async () => {
    const { log, events } = memoryLogger();
    const requests = new RxlogRequestContext(
      log,
      requestLoggingSettings({ requestLogging: { level: (status) => (status === 404 ? ('loud' as LogLevelName) : 'debug') } }),
    );
    for (const statusCode of [404, 200]) {
      requests.run({ method: 'GET', url: `/s${statusCode}`, headers: {} }, undefined, (state) =>
        requests.complete(state, { statusCode }),
      );
    }
    await log.flush();
    expect(events.map((e) => [e.properties.RequestPath, e.level])).toEqual([
      ['/s404', 'warning'],
      ['/s200', 'debug'],
    ]);
  });
});
