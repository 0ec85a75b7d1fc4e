import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Subject } from 'rxjs';
import { runOutsideAngular } from '../../lib/angular/run-outside-angular';

void describe('runOutsideAngular', () => {
  void it('delivers every notification synchronously inside runOutsideAngular', () => {
    let outside = false;
    const zone = {
      runOutsideAngular<T>(fn: () => T): T {
        outside = true;
        try {
          return fn();
        } finally {
          outside = false;
        }
      },
    };
    const source = new Subject<number>();
    const seen: string[] = [];
    source.pipe(runOutsideAngular(zone)).subscribe({
      next: (value) => seen.push(`${value}:${outside}`),
      complete: () => seen.push(`complete:${outside}`),
    });
    source.next(1);
    seen.push('after next');
    source.next(2);
    source.complete();
    assert.deepEqual(seen, ['1:true', 'after next', '2:true', 'complete:true']);
  });

  void it('passes errors on outside the zone too', () => {
    const calls: string[] = [];
    const zone = { runOutsideAngular: <T>(fn: () => T): T => (calls.push('outside'), fn()) };
    const source = new Subject<number>();
    let failure: unknown;
    source.pipe(runOutsideAngular(zone)).subscribe({ error: (error: unknown) => (failure = error) });
    const error = new Error('x');
    source.error(error);
    assert.equal(failure, error);
    assert.deepEqual(calls, ['outside']);
  });
});
