import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { expectOption } from '../../lib/core/expect-option';

describe('expectOption', () => {
  it('returns when the value is as expected', () => {
    expect(() => expectOption(true, 'retry.attempts', 'a number', 3)).not.toThrow();
  });

  it('throws a ConfigurationError naming where, what was expected and the value given', () => {
    expect(() => expectOption(false, 'filter.byExcluding', 'a predicate function', undefined)).toThrow(
      new ConfigurationError('filter.byExcluding: expected a predicate function, got undefined'),
    );
    expect(() => expectOption(false, 'writeTo.sink', 'a non-empty name', '')).toThrow(
      'writeTo.sink: expected a non-empty name, got ""',
    );
    expect(() => expectOption(false, 'SeqSink.apiKey', 'a non-empty string', 5)).toThrow(
      'SeqSink.apiKey: expected a non-empty string, got number 5',
    );
  });
});
