import { RXLOG_VERSION } from '../../../lib/sinks/http/rxlog-version';
import { version } from '../../../package.json';

describe('RXLOG_VERSION', () => {
  // OtlpSink sends it as telemetry.sdk.version; a release that bumps package.json fails here until it follows.
  it('is the version in package.json', () => {
    expect(RXLOG_VERSION).toBe(version);
  });
});
