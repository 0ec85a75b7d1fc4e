import type { Enricher } from '../../lib/core/enricher';
import { redactingEnricher } from '../../lib/templates/redacting-enricher';
import { RedactionPolicy } from '../../lib/templates/redaction-policy';
import { makeEvent } from '../helpers/events';

describe('redactingEnricher', () => {
  const policy = RedactionPolicy.compile({ keys: /secret/i });

  it('captures and redacts what the enricher returns, keeping its name', () => {
    const shared = { id: 1, secret: 's' };
    const withSession: Enricher = () => ({ Session: shared });
    const wrapped = redactingEnricher(withSession, policy);
    expect(wrapped(makeEvent())).toEqual({ Session: { id: 1, secret: '[Redacted]' } });
    expect(shared.secret).toBe('s');
    expect(wrapped.name).toBe('withSession');
  });

  it('redacts the rest of what the enricher returns when one of its getters throws, which gets its marker', () => {
    const wrapped = redactingEnricher(
      () => ({
        get Token(): string {
          throw new Error('unreadable');
        },
        Session: { id: 2, secret: 's' },
      }),
      policy,
    );
    expect(wrapped(makeEvent())).toEqual({ Token: '[Throws: unreadable]', Session: { id: 2, secret: '[Redacted]' } });
  });

  it('passes nothing on when the enricher returns nothing, and lets its errors through to the stage that reports them', () => {
    expect(redactingEnricher(() => undefined, policy)(makeEvent())).toBeUndefined();
    const failing = redactingEnricher(() => {
      throw new Error('enricher broke');
    }, policy);
    expect(() => failing(makeEvent())).toThrow('enricher broke');
  });
});
