import { Observable } from 'rxjs';
import { provideEventAccounting } from '../../lib/operators/event-accounting';
import type { EventAccounting } from '../../lib/operators/event-accounting';

/** An EventAccounting that records what operators report, for operator specs. */
export class RecordingAccounting implements EventAccounting {
  readonly droppedBy: Record<string, number> = {};
  made = 0;

  dropped(count: number, reason: string): void {
    this.droppedBy[reason] = (this.droppedBy[reason] ?? 0) + count;
  }

  created(count: number): void {
    this.made += count;
  }
}

/** `source`, subscribed with `accounting` provided, as a sink lane subscribes its operators. */
export function subscribedWith<T>(accounting: EventAccounting, source: Observable<T>): Observable<T> {
  return new Observable<T>((subscriber) => provideEventAccounting(accounting, () => source.subscribe(subscriber)));
}
