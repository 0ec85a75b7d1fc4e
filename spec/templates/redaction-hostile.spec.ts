import { exceptionText } from '../../lib/core/exception-text';
import { RedactionPolicy } from '../../lib/templates/redaction-policy';

/** An Error whose enumerable `details` getter answers `first` the first time it is read and `later` after. */
function errorWithShiftingGetter(name: string, enumerable: boolean, first: unknown, later: unknown): Error {
  const error = Object.assign(new Error('failed'), { token: 't-1' });
  let reads = 0;
  Object.defineProperty(error, name, { enumerable, configurable: true, get: () => (reads++ === 0 ? first : later) });
  return error;
}

describe('RedactionPolicy and hostile objects', () => {
  it('copies an exception with the values it read and redacted, not a getter read again (which may answer a secret the second time)', () => {
    const policy = RedactionPolicy.compile({ keys: /token/ });
    const withDetails = policy.redactError(errorWithShiftingGetter('details', true, { ok: 1 }, { token: 'secret-1' }));
    expect((withDetails as Error & { details: unknown }).details).toEqual({ ok: 1 });
    expect((withDetails as Error & { token: unknown }).token).toBe('[Redacted]');
    // A `cause` getter (a link, not enumerable): the copy's cause is what was read, and @x writes no secret.
    const withCause = policy.redactError(errorWithShiftingGetter('cause', false, { ok: 1 }, { token: 'secret-2' }));
    expect(withCause.cause).toEqual({ ok: 1 });
    expect(exceptionText(withCause)).not.toContain('secret-2');
  });
});
