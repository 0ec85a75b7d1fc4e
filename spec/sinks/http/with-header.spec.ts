import { withHeader } from '../../../lib/sinks/http/with-header';

describe('withHeader', () => {
  it('adds the header to a fixed record, over one of the same name, without changing the record given', () => {
    const given = { Accept: 'text/plain', 'X-Scope-OrgID': 'old' };
    expect(withHeader(given, 'X-Scope-OrgID', 'tenant-1')).toEqual({ Accept: 'text/plain', 'X-Scope-OrgID': 'tenant-1' });
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
