import { ThrownValueError } from '../../../lib/core/errors/thrown-value-error';

describe('ThrownValueError', () => {
  it('is an Error whose message is the text given and whose stack is that one line', () => {
    const error = new ThrownValueError('timeout');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ThrownValueError);
    expect(error.name).toBe('ThrownValueError');
    expect(error.message).toBe('timeout');
    expect(error.stack).toBe('ThrownValueError: timeout');
  });
});
