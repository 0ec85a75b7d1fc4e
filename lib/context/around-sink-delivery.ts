import { sharedState } from '../core/shared-state';

/** Runs sink delivery inside a context of its own (OpenTelemetry's with tracing suppressed), returning what `fn` returns. */
export type SinkDeliveryWrapper = <T>(fn: () => T) => T;

/**
 * The wrappers in force, for every copy of rxlog in the process (see sharedState): each
 * registration's, in the order made; the latest one not yet removed is `current`.
 */
interface Registrations {
  current: SinkDeliveryWrapper | undefined;
  all: Map<object, SinkDeliveryWrapper>;
}
let shared: Registrations | undefined;
const registrations = (): Registrations =>
  (shared ??= sharedState('SinkDelivery.around.v1', () => ({ current: undefined, all: new Map<object, SinkDeliveryWrapper>() })));

/**
 * Puts `wrapper` around all sink delivery from now on (see runDetached): core cannot import a
 * tracing API, so an entry that can (`suppressSinkTracing` in `rxlog/otel`) hands it a function
 * that enters the tracing system's context. Registrations nest: the latest one not yet removed is
 * in force.
 *
 * @returns a function that removes this registration (once; calling it again does nothing).
 * @internal
 */
export function aroundSinkDelivery(wrapper: SinkDeliveryWrapper): () => void {
  const state = registrations();
  const holder = {};
  state.all.set(holder, wrapper);
  state.current = wrapper;
  return () => {
    if (!state.all.delete(holder)) return;
    let latest: SinkDeliveryWrapper | undefined;
    for (const each of state.all.values()) latest = each;
    state.current = latest;
  };
}

/** @internal The wrapper in force, or undefined: one read, for runDetached. */
export function sinkDeliveryWrapper(): SinkDeliveryWrapper | undefined {
  return registrations().current;
}
