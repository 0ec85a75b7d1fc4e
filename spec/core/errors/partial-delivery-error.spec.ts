import { PartialDeliveryError } from '../../../lib/core/errors/partial-delivery-error';
import { exceptionText } from '../../../lib/core/exception-text';

describe('PartialDeliveryError', () => {
  // Its message ended with its cause's `Name: message` and it set `cause` too, so every formatter
  // and SelfLog, which write the cause chain, wrote the failure twice. The message now says what
  // was partial; the failure is the cause alone.
  it('says what was written in its message and leaves the failure to its cause, written once', () => {
    const cause = new Error('ENOSPC: no space left on device');
    const error = new PartialDeliveryError(3, cause);
    expect(error.message).toBe('only the first 3 events of the batch were written');
    expect(error.cause).toBe(cause);
    const text = exceptionText(error);
    expect(text.split('ENOSPC').length - 1).toBe(1);
    expect(text).toContain('\ncaused by: Error: ENOSPC: no space left on device');
  });

  it('keeps a string cause as its cause, and writes no cause when given none', () => {
    const error = new PartialDeliveryError(0, 'the reader stalled', 2);
    expect([error.message, error.cause, error.rejected]).toEqual([
      'only the first 0 events of the batch were written',
      'the reader stalled',
      2,
    ]);
    expect(exceptionText(error)).toContain('\ncaused by: the reader stalled');
    expect(exceptionText(new PartialDeliveryError(1))).not.toContain('caused by');
  });
});
