import { ALWAYS_REDACTED_HEADERS, selectHeaders } from '../../../lib/node/http/select-headers';

describe('selectHeaders', () => {
  const redacted = new Set([...ALWAYS_REDACTED_HEADERS, 'x-api-key']);
  const headers = {
    authorization: 'Bearer t',
    'set-cookie': ['a=1', 'b=2'],
    'x-api-key': 'k',
    accept: 'text/html',
    'content-length': 12,
  };

  it('keeps the named headers that are present, redacting the sensitive ones', () => {
    expect(selectHeaders(headers, ['authorization', 'set-cookie', 'accept', 'x-missing'], redacted)).toEqual({
      authorization: '[Redacted]',
      'set-cookie': '[Redacted]',
      accept: 'text/html',
    });
  });

  it("selects every header with '*', still redacting, and joins repeated values", () => {
    expect(selectHeaders({ ...headers, via: ['a', 'b'] }, ['*'], redacted)).toEqual({
      authorization: '[Redacted]',
      'set-cookie': '[Redacted]',
      'x-api-key': '[Redacted]',
      accept: 'text/html',
      'content-length': '12',
      via: 'a, b',
    });
  });

  it('returns undefined when nothing is selected or present', () => {
    expect(selectHeaders(headers, [], redacted)).toBeUndefined();
    expect(selectHeaders(headers, ['x-missing'], redacted)).toBeUndefined();
  });

  it('keeps a header named __proto__ as data', () => {
    const selected = selectHeaders({ ['__proto__']: 'x' }, ['*'], redacted);
    expect(Object.keys(selected ?? {})).toEqual(Object.keys({ ['__proto__']: 'x' }));
  });
});
