import { plainEnv } from '../helpers/plain-env';
import { fixtureOutcomes } from './fixtures/run-nest-app';

// 200 real NestJS 12 apps made one after another in one process, sharing one logger
// (spec/nest/fixtures/nest-many-apps.ts), as an e2e suite or unit tests do: an app follows the
// logger's close only while it has requests or messages in flight, so neither an app closed nor a
// module created and never initialised stays among the logger's listeners.
describe.each(['closed', 'compiled'])('200 Nest apps sharing one logger (%s)', (mode) => {
  it('leave no listener on the logger’s close', async () => {
    const run = await fixtureOutcomes<{ before: number; after: number }>('nest-many-apps.ts', [mode, '200'], {
      env: plainEnv(),
      timeoutMs: 60_000,
    });
    expect(run).toMatchObject({ before: 0, after: 0 });
  }, 90_000);
});
