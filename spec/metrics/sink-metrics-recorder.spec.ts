import { SinkMetricsRecorder } from '../../lib/metrics/sink-metrics-recorder';

describe('SinkMetricsRecorder', () => {
  it('snapshots its counters, breaker state and latency summary', () => {
    const recorder = new SinkMetricsRecorder('file');
    recorder.received += 5;
    recorder.delivered += 3;
    recorder.dropped += 1;
    recorder.failed += 1;
    recorder.retried = 2;
    recorder.fallback = 1;
    recorder.queueDepth = 4;
    recorder.queueBytes = 400;
    recorder.bytesWritten = 1234;
    recorder.breaker = 'open';
    recorder.latency.record(2);
    expect(recorder.snapshot()).toEqual({
      name: 'file',
      received: 5,
      delivered: 3,
      dropped: 1,
      failed: 1,
      retried: 2,
      fallback: 1,
      pending: 0,
      queueDepth: 4,
      queueBytes: 400,
      bytesWritten: 1234,
      latencyMs: {
        p50: 2,
        p95: 2,
        p99: 2,
        max: 2,
        count: 1,
        sum: 2,
      },
      // How many latencies were at most 1 ms, 2 ms, 4 ms … 2^23 ms.
      latencyBuckets: { le: Array.from({ length: 24 }, (_, power) => 2 ** power), counts: [0, ...Array<number>(23).fill(1)] },
      breaker: 'open',
    });
  });

  // toEqual ignores key order; a snapshot's JSON (logger.metrics() written out, a /metrics body) keeps it.
  it('writes its names in SinkMetrics’ order, the optional ones last', () => {
    const recorder = new SinkMetricsRecorder('file');
    expect(Object.keys(recorder.snapshot())).toEqual([
      'name',
      'received',
      'delivered',
      'dropped',
      'failed',
      'retried',
      'fallback',
      'pending',
      'queueDepth',
      'queueBytes',
      'bytesWritten',
      'latencyMs',
      'latencyBuckets',
      'breaker',
    ]);
    recorder.droppedBy.set('overflow', 1);
    recorder.droppedAtClose = 1;
    recorder.lastError = 'Error: 503';
    expect(Object.keys(recorder.snapshot()).slice(14)).toEqual(['lastError', 'droppedAtClose', 'droppedBy']);
  });

  it('includes lastError only once there was one, and the snapshot survives JSON', () => {
    const recorder = new SinkMetricsRecorder('http');
    expect('lastError' in recorder.snapshot()).toBe(false);
    recorder.lastError = 'Error: 503';
    const snapshot = recorder.snapshot();
    expect(snapshot.lastError).toBe('Error: 503');
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('includes droppedAtClose only once an event was dropped at close', () => {
    const recorder = new SinkMetricsRecorder('http');
    recorder.dropped += 2;
    expect('droppedAtClose' in recorder.snapshot()).toBe(false);
    recorder.dropped++;
    recorder.droppedAtClose++;
    expect(recorder.snapshot()).toMatchObject({ dropped: 3, droppedAtClose: 1 });
  });

  it('returns a copy that later counting does not change', () => {
    const recorder = new SinkMetricsRecorder('memory');
    const before = recorder.snapshot();
    recorder.received++;
    expect(before.received).toBe(0);
    expect(recorder.snapshot().received).toBe(1);
  });

  it('keeps its counts whatever a consumer does to a snapshot it was given', () => {
    const recorder = new SinkMetricsRecorder('memory');
    recorder.received = 3;
    recorder.delivered = 2;
    recorder.dropped = 1;
    recorder.droppedBy.set('sampleEvents.sampledOut', 1);
    recorder.latency.record(4);
    const given = recorder.snapshot();
    const expected = recorder.snapshot();
    given.received = -1;
    given.name = 'other';
    given.latencyMs.max = 1e9;
    given.droppedBy!['sampleEvents.sampledOut'] = 99;
    given.droppedBy!.extra = 5;
    expect(recorder.snapshot()).toEqual(expected);
  });
});
