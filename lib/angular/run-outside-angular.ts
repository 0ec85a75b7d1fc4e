import type { NgZone } from '@angular/core';
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * Delivers every notification outside Angular's zone, synchronously, so that the timers and
 * requests sinks start downstream (batch age, fetch, retries) are not zone tasks and never
 * trigger change detection. `provideRxlog` adds it for a zone.js NgZone only: zoneless (a
 * NoopNgZone) it would change nothing but the path of every event.
 */
export function runOutsideAngular<T>(zone: Pick<NgZone, 'runOutsideAngular'>): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (value) => zone.runOutsideAngular(() => subscriber.next(value)),
        error: (error: unknown) => zone.runOutsideAngular(() => subscriber.error(error)),
        complete: () => zone.runOutsideAngular(() => subscriber.complete()),
      }),
    );
}
