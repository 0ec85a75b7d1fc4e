import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { type ApplicationConfig, provideBrowserGlobalErrorListeners, provideZonelessChangeDetection } from '@angular/core';
import { provideRouter } from '@angular/router';
import { type Enricher, HttpSink } from 'rxlog';
import { provideRxlog, rxlogHttpInterceptor, withErrorHandler, withHttpLogging, withRouterContext } from 'rxlog/angular';
import { routes } from './app.routes';

/** One id per page load, and a number per event: the server checks that nothing was lost or sent twice. */
const pageLoad = Math.random().toString(36).slice(2, 10);
let sequence = 0;
const withSequence: Enricher = () => ({ PageLoad: pageLoad, Seq: ++sequence });

export const appConfig: ApplicationConfig = {
  providers: [
    provideZonelessChangeDetection(),
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes),
    provideHttpClient(withFetch(), withInterceptors([rxlogHttpInterceptor])),
    provideRxlog(
      (configuration) =>
        configuration.minimumLevel
          .debug()
          .enrich.withProperty('App', 'angular-demo')
          .enrich.with(withSequence)
          // Batches of up to 100 events, sent at the latest 3 s after their first event;
          // whatever is still waiting when the page is left goes out by navigator.sendBeacon.
          .writeTo.sink(new HttpSink({ url: '/ingest', beaconContentType: 'text/plain' }), {
            batch: { size: 100, maxDelayMs: 3_000 },
          }),
      withErrorHandler(),
      withHttpLogging({ correlation: 'request-id' }),
      withRouterContext(),
    ),
  ],
};
