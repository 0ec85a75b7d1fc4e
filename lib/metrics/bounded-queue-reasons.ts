/** Why boundedQueue dropped events, as a sink's `droppedBy` names it. */
export const BOUNDED_QUEUE_REASONS = Object.freeze({
  /** Dropped by the overflow policy when the queue was full. */
  overflow: 'boundedQueue.overflow',
  /** Still queued when the stream errored or was unsubscribed. */
  discarded: 'boundedQueue.discarded',
});
