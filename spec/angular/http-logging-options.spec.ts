import './test-injector'; // first: loads Angular's JIT compiler
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpLevelForStatus } from '../../lib/angular/index';

void describe('httpLevelForStatus', () => {
  void it('gives error for 5xx and network errors, warning for 4xx, else information', () => {
    assert.deepEqual([0, 200, 204, 301, 304, 400, 404, 499, 500, 503].map(httpLevelForStatus), [
      'error',
      'information',
      'information',
      'information',
      'information',
      'warning',
      'warning',
      'warning',
      'error',
      'error',
    ]);
  });
});
