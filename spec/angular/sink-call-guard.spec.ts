import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpSink, type LogEvent, MemorySink } from '../../lib/index';
import { guardSinkCalls, isInsideSinkCall } from '../../lib/angular/sink-call-guard';

void describe('guardSinkCalls', () => {
  void it('marks the synchronous part of each sink call, and only that', async () => {
    const seen: boolean[] = [];
    const sink = guardSinkCalls({
      emit(_events: readonly LogEvent[]): Promise<void> {
        seen.push(isInsideSinkCall());
        return Promise.resolve().then(() => void seen.push(isInsideSinkCall()));
      },
      flush(): void {
        seen.push(isInsideSinkCall());
        throw new Error('flush failed');
      },
    });
    assert.equal(isInsideSinkCall(), false);
    await sink.emit([]);
    assert.throws(() => sink.flush(), /flush failed/);
    assert.deepEqual(seen, [true, false, true]);
    assert.equal(isInsideSinkCall(), false);
  });

  void it('keeps the sink as it is: its class, kind, other members and private state', () => {
    const memory = new MemorySink();
    const guarded = guardSinkCalls(memory);
    assert.ok(guarded instanceof MemorySink);
    assert.equal(guarded.kind, memory.kind);
    const http = guardSinkCalls(new HttpSink({ url: 'http://localhost/ingest', fetch: () => Promise.resolve(new Response('')) }));
    assert.ok(http instanceof HttpSink);
    assert.deepEqual(http.endpoints, ['http://localhost/ingest']);
    guarded.emit([]);
    guarded.clear();
    assert.equal(memory.events.length, 0);
  });
});
