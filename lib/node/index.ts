/// <reference types="node" preserve="true" />
// Kept in the declarations: since TypeScript 6 a project loads @types/node only when its tsconfig
// names it ("types": ["node"]); rxlog/node's declarations use Node's types, so they bring them.
// The Node-only entry of rxlog: "rxlog/node". Every export is named here.
export { FileSink } from './file/file-sink';
export type { FileSinkOptions } from './file/file-sink';
export type { RollingInterval } from './file/rolling-interval';
export { FileSizeLimitError } from './file/file-size-limit-error';
export { StreamSink } from './stream-sink';
export type { StreamSinkOptions } from './stream-sink';
export { AsyncLocalStorageContextStore } from './async-local-storage-store';
export { useAsyncLocalStorage } from './use-async-local-storage';
export { installProcessHooks } from './install-process-hooks';
export type { HookableLogger, HookableProcess, HookableSinkCounts, ProcessHooksOptions } from './install-process-hooks';
export { withProcessId } from './with-process-id';
export { withProcessName } from './with-process-name';
export { withMachineName } from './with-machine-name';
export { withThreadId } from './with-thread-id';
export { withEnvironmentVariable } from './with-environment-variable';
export { withEnvironmentUserName } from './with-environment-user-name';
export { SyslogSink } from './syslog/syslog-sink';
export type { SyslogSinkOptions, SyslogTransportKind, SyslogFormat } from './syslog/syslog-sink-options';
export type { SyslogFacilityName } from './syslog/syslog-facility';
export type { SyslogFraming } from './syslog/syslog-framing';
export type { SyslogPem, SyslogTlsOptions } from './syslog/syslog-tls-options';
export { diagnosticContext, DiagnosticCollector } from './http/diagnostic-context';
export { createIngestHandler, INGEST_TEMPLATE } from './ingest/create-ingest-handler';
export type { IngestHandler, IngestLogger, IngestMetrics } from './ingest/create-ingest-handler';
export type { IngestFrameworkRequest, IngestFrameworkReply } from './ingest/framework-request';
export type { IngestHandlerOptions, IngestRateLimit } from './ingest/ingest-handler-options';
export { TokenBucketLimiter } from './ingest/token-bucket-limiter';
export type { TokenBucketLimiterOptions, RateDecision } from './ingest/token-bucket-limiter';
export { requestLogging } from './http/request-logging';
export type { RequestLoggingMiddleware } from './http/request-logging';
export { fastifyRequestLogging } from './http/fastify-request-logging';
export type {
  FastifyRequestLoggingPlugin,
  FastifyLikeInstance,
  FastifyLikeRequest,
  FastifyLikeReply,
} from './http/fastify-request-logging';
export { fastifyLogger } from './http/fastify-logger';
export type {
  FastifyLogger,
  FastifyLoggerOptions,
  FastifyLogFn,
  FastifyLogSerializer,
  FastifyChildLoggerOptions,
} from './http/fastify-logger';
export type { RequestLoggingOptions, RequestOutcome, ResolvedRequestLoggingOptions } from './http/request-logging-options';
export {
  REQUEST_COMPLETED_TEMPLATE,
  REQUEST_ABORTED_TEMPLATE,
  resolveRequestLoggingOptions,
} from './http/request-logging-options';
export type { RequestLogger, RequestTracker } from './http/request-tracker';
export {
  trackRequest,
  requestPath,
  FAILED_AFTER_COMPLETION_TEMPLATE,
  UNFINISHED_AT_SHUTDOWN_TEMPLATE,
} from './http/request-tracker';
export type { InFlightRequest, InFlightRequests } from './http/in-flight-requests';
export { levelForStatus } from './http/level-for-status';
export { requestIdFrom, traceIdFromTraceparent } from './http/request-id';
export type { RequestHeaders } from './http/request-id';
export { nodeHttpFetch, createNodeHttpFetch } from './http/node-http-fetch';
export type { NodeHttpFetch, NodeHttpFetchOptions, NodeHttpFetchTls } from './http/node-http-fetch';
