// The Angular entry of rxlog: "rxlog/angular". Every export is named here. It needs
// @angular/core, @angular/common and @angular/router (Angular 17 or later) and no Angular
// compiler: no decorators, only functions, InjectionTokens and inject().
export { provideRxlog } from './provide-rxlog';
export type { RxlogConfigure } from './provide-rxlog';
export { injectLogger } from './inject-logger';
export { withErrorHandler } from './with-error-handler';
export type { ErrorHandlerOptions } from './with-error-handler';
export { withHttpLogging } from './with-http-logging';
export { rxlogHttpInterceptor } from './rxlog-http-interceptor';
export { RXLOG_SINK_REQUEST } from './rxlog-sink-request';
export { httpLevelForStatus, RXLOG_HTTP_LOGGING_OPTIONS } from './http-logging-options';
export type { HttpLoggingOptions, HttpCorrelation } from './http-logging-options';
export { withRouterContext } from './with-router-context';
export type { RouteProperties } from './current-route';
export { RXLOG_LOGGER } from './rxlog-tokens';
export type { RxlogFeature, RxlogFeatureKind } from './rxlog-feature';
export { redactQuery } from './redact-query';
