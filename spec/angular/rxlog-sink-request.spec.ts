import { testInjector } from './test-injector'; // first: loads Angular's JIT compiler
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpClient, HttpContext, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { inject, provideZonelessChangeDetection } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { type LogEvent, MemorySink } from '../../lib/index';
import { provideRxlog, RXLOG_SINK_REQUEST, rxlogHttpInterceptor } from '../../lib/angular/index';

/** Lets the sinks' own awaits run, a bounded number of turns. */
async function turns(count = 5): Promise<void> {
  for (let n = 0; n < count; n++) await new Promise((resolve) => setTimeout(resolve, 0));
}

void describe('RXLOG_SINK_REQUEST', () => {
  void it('keeps a sink request out of the log even when the sink posts only after an await of its own', async () => {
    const memory = new MemorySink();
    // Sinks that post each batch with the app's HttpClient after awaiting something (a token, a
    // compression step): the pipeline's reentrancy guard no longer marks that turn as sink code.
    const postLater = (client: HttpClient, url: string, marked: boolean) => ({
      async emit(events: readonly LogEvent[]): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 0));
        const context = marked ? new HttpContext().set(RXLOG_SINK_REQUEST, true) : undefined;
        await firstValueFrom(
          client.post(
            url,
            events.map((e) => e.renderMessage()),
            { context },
          ),
        ).catch(() => undefined);
      },
    });
    const injector = testInjector([
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([rxlogHttpInterceptor])),
      provideHttpClientTesting(),
      provideRxlog((c) => {
        const client = inject(HttpClient);
        return c.writeTo
          .sink(memory)
          .writeTo.sink(postLater(client, '/logs/marked', true), { name: 'marked' })
          .writeTo.sink(postLater(client, '/logs/unmarked', false), { name: 'unmarked' });
      }),
    ]);
    const client = injector.get(HttpClient);
    const backend = injector.get(HttpTestingController);
    const call = firstValueFrom(client.get('/api/orders'));
    backend.expectOne('/api/orders').flush([]);
    await call;
    // Bounded rounds: answer what the sinks posted, let them post what that logged.
    for (let round = 0; round < 4; round++) {
      await turns();
      for (const request of backend.match((r) => r.url.startsWith('/logs/'))) {
        const marked = request.request.context.get(RXLOG_SINK_REQUEST);
        assert.equal(marked, request.request.url === '/logs/marked');
        request.flush('');
      }
    }
    const messages = memory.events.map((e) => e.renderMessage().split(' responded')[0]);
    assert.equal(messages.filter((m) => m === 'HTTP POST /logs/marked').length, 0);
    // The unmarked sink's requests are logged (and their events posted again): what the token prevents.
    assert.ok(messages.filter((m) => m === 'HTTP POST /logs/unmarked').length >= 2);
    assert.equal(messages[0], 'HTTP GET /api/orders');
    injector.destroy();
  });

  void it('is false on requests nobody marked', () => {
    assert.equal(new HttpContext().get(RXLOG_SINK_REQUEST), false);
  });
});
