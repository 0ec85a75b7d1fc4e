import { readHeaders, withHeader, withHeaders } from '../../../lib/sinks/http/with-header';

describe('withHeader', () => {
  it('adds the header to a fixed record, over one of the same name, without changing the record given', () => {
    const given = { Accept: 'text/plain', 'X-Scope-OrgID': 'old' };
    expect(readHeaders(withHeader(given, 'X-Scope-OrgID', 'tenant-1') ?? {})).toEqual({
      Accept: 'text/plain',
      'X-Scope-OrgID': 'tenant-1',
    });
    expect(given['X-Scope-OrgID']).toBe('old');
  });

  it('gives a record with only the header when there are no headers', () => {
    expect(withHeader(undefined, 'X-Seq-ApiKey', 'k')).toEqual({ 'X-Seq-ApiKey': 'k' });
  });

  it('keeps a headers function a function, called again for each request, with the header over its result', () => {
    let calls = 0;
    const headers = withHeader(() => ({ Authorization: `Bearer ${++calls}`, 'X-Seq-ApiKey': 'theirs' }), 'X-Seq-ApiKey', 'k');
    expect(typeof headers).toBe('function');
    const read = headers as () => Readonly<Record<string, string>>;
    expect(read()).toEqual({ Authorization: 'Bearer 1', 'X-Seq-ApiKey': 'k' });
    expect(read()).toEqual({ Authorization: 'Bearer 2', 'X-Seq-ApiKey': 'k' });
  });

  it('gives the headers as they are when there is no value', () => {
    const given = { Accept: 'text/plain' };
    expect(withHeader(given, 'X-Seq-ApiKey', undefined)).toBe(given);
    expect(withHeader(undefined, 'X-Seq-ApiKey', undefined)).toBeUndefined();
  });
});

describe('withHeaders', () => {
  it('merges per request what a record and a function give, the second’s headers last', () => {
    let calls = 0;
    const merged = withHeaders({ 'x-env': 'env', 'x-key': 'env' }, () => ({ 'x-key': `code ${++calls}` }));
    expect(typeof merged).toBe('function');
    const read = merged as () => Readonly<Record<string, string>>;
    expect(read()).toEqual({ 'x-env': 'env', 'x-key': 'code 1' });
    expect(read()).toEqual({ 'x-env': 'env', 'x-key': 'code 2' });
    expect(readHeaders(withHeaders({ a: '1', B: 'under' }, { b: 'over' }) ?? {})).toEqual({ a: '1', B: 'under', b: 'over' });
  });

  it('gives the one given as it is when the other is undefined', () => {
    const given = { a: '1' };
    expect(withHeaders(given, undefined)).toBe(given);
    expect(withHeaders(undefined, given)).toBe(given);
    expect(withHeaders(undefined, undefined)).toBeUndefined();
  });

  it('hands on a second argument that is not headers as it is, for HttpSink to refuse', () => {
    expect(withHeaders({ a: '1' }, 'x' as never)).toBe('x');
  });
});
