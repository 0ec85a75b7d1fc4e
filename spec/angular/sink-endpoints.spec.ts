import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemorySink, SeqSink } from '../../lib/index';
import { sinkEndpoints } from '../../lib/angular/sink-endpoints';

void describe('sinkEndpoints', () => {
  void it('lists the URLs of HTTP sinks and nothing for others', () => {
    const fetch = () => Promise.resolve(new Response(''));
    const seq = new SeqSink({ serverUrl: 'https://seq.example.com', fetch });
    assert.deepEqual(sinkEndpoints(seq), ['https://seq.example.com/api/events/raw?clef']);
    assert.deepEqual(sinkEndpoints(new MemorySink()), []);
  });
});
