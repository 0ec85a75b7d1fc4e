import * as node from '../../lib/node/index';

describe('rxlog/node (the Node entry)', () => {
  it('exports the public names DESIGN.md §3 promises', () => {
    const names = [
      'FileSink',
      'StreamSink',
      'SyslogSink',
      'useAsyncLocalStorage',
      'installProcessHooks',
      'requestLogging',
      'fastifyRequestLogging',
      'fastifyLogger',
      'diagnosticContext',
      'createIngestHandler',
      'withEnvironmentUserName',
    ];
    const missing = names.filter((name) => (node as Record<string, unknown>)[name] === undefined);
    expect(missing).toEqual([]);
  });
});
