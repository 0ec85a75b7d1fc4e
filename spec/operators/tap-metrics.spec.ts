import { SinkMetricsRecorder } from '../../lib/metrics/sink-metrics-recorder';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { tapMetrics, type TappedCounter } from '../../lib/operators/tap-metrics';
import { makeEvent, makeEvents } from '../helpers/events';
import { createTestScheduler } from '../helpers/test-scheduler';

const [a, b, c] = makeEvents(3);

describe('tapMetrics', () => {
  it('counts each event into the chosen counter and passes the stream through unchanged', () => {
    const recorder = new SinkMetricsRecorder('x');
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-b-c-|', { a, b, c });
      expectObservable(source.pipe(tapMetrics(recorder, 'received', {}, testScheduler))).toBe('-a-b-c-|', { a, b, c });
    });
    expect(recorder.snapshot()).toMatchObject({ received: 3, delivered: 0 });
  });

  it('counts a batch by its length', () => {
    const recorder = new SinkMetricsRecorder('x');
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const source = hot('-x-y-|', { x: [a, b], y: [c] });
      expectObservable(source.pipe(tapMetrics(recorder, 'delivered', {}, testScheduler))).toBe('-x-y-|', { x: [a, b], y: [c] });
    });
    expect(recorder.delivered).toBe(3);
  });

  it('records each event’s age when asked for latency', () => {
    const recorder = new SinkMetricsRecorder('x');
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      const old = makeEvent({ timestamp: new Date(0) });
      const source = hot('-----o|', { o: old });
      expectObservable(source.pipe(tapMetrics(recorder, 'failed', { latency: true }, testScheduler))).toBe('-----o|', { o: old });
    });
    expect(recorder.failed).toBe(1);
    expect(recorder.snapshot().latencyMs.max).toBe(5);
  });

  it('passes errors through', () => {
    const recorder = new SinkMetricsRecorder('x');
    const testScheduler = createTestScheduler();
    testScheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('-a-#', { a }).pipe(tapMetrics(recorder, 'dropped'))).toBe('-a-#', { a });
    });
    expect(recorder.dropped).toBe(1);
  });
  it('rejects an unknown counter or a missing recorder when built, naming them', () => {
    const recorder = new SinkMetricsRecorder('audit');
    expect(() => tapMetrics(recorder, 'recieved' as TappedCounter)).toThrow(ConfigurationError);
    expect(() => tapMetrics(recorder, 'recieved' as TappedCounter)).toThrow(/tapMetrics: counter.*"recieved"/);
    expect(() => tapMetrics(undefined as unknown as SinkMetricsRecorder, 'received')).toThrow(
      /tapMetrics: expected a SinkMetricsRecorder/,
    );
  });
});
