import { Subject } from 'rxjs';
import type { LogEvent } from '../../lib/core/log-event';
import type { LogLevelName } from '../../lib/core/log-level';
import type { EventAccounting } from '../../lib/operators/event-accounting';
import { SUPPRESSED_TEMPLATE } from '../../lib/operators/throttle-events';
import { makeEvent } from './events';
import { mulberry32 } from './model-run';
import { subscribedWith } from './recording-accounting';
import { createTestScheduler } from './test-scheduler';
import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';

/** One event of a seeded timeline: its frame, its key (property `K`), its level and its number (property `Id`). */
export interface TimelineEvent {
  readonly at: number;
  readonly key: string;
  readonly level: LogLevelName;
  readonly id: number;
}

/**
 * A seeded timeline for a model test: `count` events over four keys, 0 to 2 frames apart, at
 * levels drawn from `levels`, and the frame the source completes on.
 */
export function seededTimeline(
  seed: number,
  levels: readonly LogLevelName[],
  count = 25,
): { events: TimelineEvent[]; end: number; random: () => number } {
  const random = mulberry32(seed);
  const events: TimelineEvent[] = [];
  let at = 0;
  for (let id = 0; id < count; id++) {
    at += Math.floor(random() * 3);
    events.push({ at, key: `k${Math.floor(random() * 4)}`, level: levels[Math.floor(random() * levels.length)], id });
  }
  return { events, end: at + 1 + Math.floor(random() * 10), random };
}

/**
 * Runs `events` through `operator` in virtual time (each event pushed on its frame, then the
 * completion on `end`), subscribed with `accounting`, and returns what came out as
 * `frame:Id` (an event of the timeline) or `frame:S<Count>` (a throttle summary). Events are
 * scheduled before the run starts, so on a frame where an operator's timer is also due, the event comes first.
 */
export function runTimeline(
  events: readonly TimelineEvent[],
  end: number,
  accounting: EventAccounting,
  operator: (scheduler: SchedulerLike) => MonoTypeOperatorFunction<LogEvent>,
): string[] {
  const testScheduler = createTestScheduler();
  const out: string[] = [];
  testScheduler.run(() => {
    const source = new Subject<LogEvent>();
    subscribedWith(accounting, source.pipe(operator(testScheduler))).subscribe((event) => {
      // A summary carries the properties its suppressed events shared (an Id, when it stands for one).
      const summary = event.messageTemplate.text === SUPPRESSED_TEMPLATE;
      out.push(`${testScheduler.now()}:${summary ? `S${String(event.properties.Count)}` : String(event.properties.Id)}`);
    });
    for (const event of events)
      testScheduler.schedule(
        () => source.next(makeEvent({ level: event.level, properties: { K: event.key, Id: event.id } })),
        event.at,
      );
    testScheduler.schedule(() => source.complete(), end);
  });
  return out;
}
