import { retryHint } from '../../../lib/core/retry-hint';
import { FileSizeLimitError } from '../../../lib/node/file/file-size-limit-error';

describe('FileSizeLimitError', () => {
  it('names the file and the limit', () => {
    const error = new FileSizeLimitError('/var/log/app.log', 1024);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('FileSizeLimitError');
    expect(error.message).toContain('/var/log/app.log');
    expect(error.message).toContain('1024 bytes');
    expect([error.path, error.limitBytes]).toEqual(['/var/log/app.log', 1024]);
  });

  it('says a retry cannot cure it', () => {
    expect(retryHint(new FileSizeLimitError('/var/log/app.log', 1024)).permanent).toBe(true);
  });
});
