import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemorySink, SeqSink } from '../../lib/index';
import { sinkEndpoints } from '../../lib/angular/sink-endpoints';
import { bundleOf } from './bundle-of';

void describe('sinkEndpoints', () => {
  void it('lists the URLs of HTTP sinks and nothing for others', () => {
    const fetch = () => Promise.resolve(new Response(''));
    const seq = new SeqSink({ serverUrl: 'https://seq.example.com', fetch });
    assert.deepEqual(sinkEndpoints(seq), ['https://seq.example.com/api/events/raw?clef']);
    assert.deepEqual(sinkEndpoints(new MemorySink()), []);
  });

  // It asked `instanceof HttpSink`, so provideRxlog bundled HttpSink, its offline store and their
  // helpers into every Angular app, those that log to the console only: 7.5 KB gzip of 40.
  void it('brings no HTTP sink into the bundle of an app that uses none', async () => {
    const { files, angularImports } = await bundleOf(
      `import { provideRxlog } from './index'; console.log(provideRxlog((c) => c.writeTo.console()));`,
    );
    assert.deepEqual(
      files.filter((file) => /^sinks\/http\/(http-sink|http-offline-queue)\.ts$/.test(file)),
      [],
    );
    // @angular/common would load classes that need the Angular compiler in plain Node (the
    // docs' test without TestBed failed with "JIT compilation failed for injectable PlatformLocation").
    assert.deepEqual([...new Set(angularImports.map((line) => line.split(':')[0]))], ['@angular/core']);
  });

  void it('reads the endpoints a sink of any class declares, and never throws', () => {
    const declared = { emit: () => undefined, endpoints: ['https://logs.example.com/in'] };
    const hostile = {
      emit: () => undefined,
      get endpoints(): string[] {
        throw new Error('getter');
      },
    };
    assert.deepEqual(sinkEndpoints(declared), ['https://logs.example.com/in']);
    assert.deepEqual(sinkEndpoints(hostile), []);
    assert.deepEqual(sinkEndpoints({ emit: () => undefined, endpoints: 'https://x' } as never), []);
  });
});
