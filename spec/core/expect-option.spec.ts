import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { expectCallback, expectOption } from '../../lib/core/expect-option';

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

describe('expectCallback', () => {
  it('takes a function, an arrow, a method, a method named class, a built-in constructor and a Proxy of a function', () => {
    const methods = {
      class(): void {},
      method(): void {},
    };
    for (const value of [
      function named() {},
      () => undefined,
      methods.class,
      methods.method,
      Boolean,
      new Proxy(() => undefined, {}),
    ])
      expect(() => expectCallback(value, 'enrich.with[0]', 'an enricher function')).not.toThrow();
  });

  it('refuses a class, which throws called without new, naming it', () => {
    class Enricher {}
    expect(() => expectCallback(Enricher, 'enrich.with[0]', 'an enricher function')).toThrow(
      new ConfigurationError('enrich.with[0]: expected an enricher function, not a class, got function Enricher'),
    );
    expect(() => expectCallback(class extends Enricher {}, 'pipe[0]', 'an operator function')).toThrow(
      /^pipe\[0\]: expected an operator function, not a class/,
    );
  });

  it('refuses what is not a function as expectOption does', () => {
    expect(() => expectCallback(null, 'filter.byExcluding', 'a predicate function')).toThrow(
      new ConfigurationError('filter.byExcluding: expected a predicate function, got null'),
    );
  });
});
