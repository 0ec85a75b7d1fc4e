import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactQuery, stripQuery } from '../../lib/angular/redact-query';

void describe('redactQuery', () => {
  void it('replaces every query value and drops the fragment', () => {
    assert.equal(redactQuery('/search?q=secret&page=2#top'), '/search?q=***&page=***');
    assert.equal(redactQuery('https://api.example.com/a?token=x'), 'https://api.example.com/a?token=***');
    assert.equal(redactQuery('/a?flag&b='), '/a?flag=***&b=***');
  });

  void it('hides the user name and password of a URL', () => {
    assert.equal(redactQuery('https://ann:pw@api.example.com/a?token=x'), 'https://***@api.example.com/a?token=***');
    assert.equal(redactQuery('https://token@api.example.com/a'), 'https://***@api.example.com/a');
    assert.equal(redactQuery('/users/ann@example.com'), '/users/ann@example.com');
    assert.equal(redactQuery('//ann:pw@api.example.com/a'), '//***@api.example.com/a');
  });

  void it('leaves URLs without a query as they are', () => {
    assert.equal(redactQuery('/orders/42'), '/orders/42');
    assert.equal(redactQuery('/orders/42?'), '/orders/42');
    assert.equal(redactQuery(''), '');
  });
});

void describe('stripQuery', () => {
  void it('removes query and fragment', () => {
    assert.equal(stripQuery('/orders/42?tab=items#x'), '/orders/42');
    assert.equal(stripQuery('/orders#x'), '/orders');
    assert.equal(stripQuery('/'), '/');
  });
});
