import { TestScheduler } from 'rxjs/testing';

/** A TestScheduler whose frames are compared with jest's deep equality. */
export function createTestScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
}
