import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newTraceparent, randomHex } from '../../lib/angular/correlation-ids';

void describe('randomHex', () => {
  void it('returns lowercase hex of the asked length, different each time', () => {
    const ids = new Set(Array.from({ length: 100 }, () => randomHex(16)));
    assert.equal(ids.size, 100);
    for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
  });
});

void describe('newTraceparent', () => {
  void it('builds a sampled W3C traceparent from its ids', () => {
    const { header, traceId, spanId } = newTraceparent();
    assert.equal(header, `00-${traceId}-${spanId}-01`);
    assert.match(traceId, /^[0-9a-f]{32}$/);
    assert.match(spanId, /^[0-9a-f]{16}$/);
  });
});
