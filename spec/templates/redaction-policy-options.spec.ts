import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { RedactionPolicy, type RedactOptions } from '../../lib/templates/redaction-policy';

describe('RedactionPolicy.compile options', () => {
  it('refuses options whose names cannot be listed with a ConfigurationError keeping the cause', () => {
    const boom = new Error('boom');
    const options = new Proxy<RedactOptions>(
      { paths: ['Password'] },
      {
        ownKeys() {
          throw boom;
        },
      },
    );
    let thrown: unknown;
    try {
      RedactionPolicy.compile(options, 'destructure.redact');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as Error).message).toMatch(/^destructure\.redact: /);
    expect((thrown as Error).cause).toBe(boom);
  });

  it('lets an option set to undefined through, as every options object does', () => {
    const options = { paths: ['Password'], path: undefined } as unknown as RedactOptions;
    expect(RedactionPolicy.compile(options).redactProperties({ Password: 'x' })).toEqual({ Password: '[Redacted]' });
  });
});
