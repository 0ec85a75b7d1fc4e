import { CompactJsonFormatter } from '../../lib/formatting/compact-json-formatter';
import { NdjsonFormatter } from '../../lib/formatting/ndjson-formatter';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { makeEvent } from '../helpers/events';

// As other public constructors check their option keys (ConsoleSink, the sinks, the operators), a
// formatter's options are checked when it is built: a misspelt switch meant the default silently.
describe('formatterFlag: the switch a formatter takes', () => {
  const build = {
    CompactJsonFormatter: (options: unknown) => new CompactJsonFormatter(options as never),
    NdjsonFormatter: (options: unknown) => new NdjsonFormatter(options as never),
  };

  it.each([
    [
      'CompactJsonFormatter',
      { renderMesage: true },
      'CompactJsonFormatter: unknown option "renderMesage" (expected one of renderMessage)',
    ],
    [
      'NdjsonFormatter',
      { includeTemplates: false },
      'NdjsonFormatter: unknown option "includeTemplates" (expected one of includeTemplate)',
    ],
    ['CompactJsonFormatter', { renderMessage: 'yes' }, 'CompactJsonFormatter.renderMessage: expected true or false, got "yes"'],
    ['NdjsonFormatter', { includeTemplate: 0 }, 'NdjsonFormatter.includeTemplate: expected true or false, got number 0'],
    ['CompactJsonFormatter', null, 'CompactJsonFormatter: expected options, got null'],
    ['NdjsonFormatter', [], 'NdjsonFormatter: expected options, got Array'],
  ] as const)('%s refuses %j when built: %s', (name, options, message) => {
    const attempt = (): unknown => build[name](options);
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(message);
  });

  it('refuses a switch whose getter throws with a ConfigurationError naming it, the error as its cause', () => {
    const failure = new Error('no');
    const options = {
      get renderMessage(): boolean {
        throw failure;
      },
    };
    let error: ConfigurationError | undefined;
    try {
      new CompactJsonFormatter(options);
    } catch (caught) {
      error = caught as ConfigurationError;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect({ message: error?.message, cause: error?.cause }).toEqual({
      message: 'CompactJsonFormatter: reading option "renderMessage" threw Error: no',
      cause: failure,
    });
  });

  it('takes the switch, undefined as the default, and the options left out', () => {
    const clef = (options?: object) => new CompactJsonFormatter(options).format(makeEvent()).includes('"@m"');
    expect([
      clef(),
      clef({}),
      clef({ renderMessage: undefined }),
      clef({ renderMessage: true }),
      clef({ renderMessage: false }),
    ]).toEqual([false, false, false, true, false]);
    const ndjson = (options?: object) => new NdjsonFormatter(options).format(makeEvent()).includes('"template"');
    expect([ndjson(), ndjson({ includeTemplate: undefined }), ndjson({ includeTemplate: false })]).toEqual([true, true, false]);
  });
});
