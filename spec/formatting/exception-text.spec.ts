import { exceptionText } from '../../lib/formatting/exception-text';

describe('exceptionText', () => {
  it('gives the stack of an error', () => {
    const error = new Error('boom');
    expect(exceptionText(error)).toBe(error.stack);
  });

  it('gives String(error) when there is no stack', () => {
    const error = new Error('boom');
    error.stack = undefined;
    expect(exceptionText(error)).toBe('Error: boom');
    expect(exceptionText('plain')).toBe('plain');
  });

  it('never throws, whatever the error does', () => {
    const hostile = {
      get stack(): string {
        throw new Error('no');
      },
    };
    expect(exceptionText(hostile)).toBe('[unprintable exception]');
  });
});
