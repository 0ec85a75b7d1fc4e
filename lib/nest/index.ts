/// <reference types="node" preserve="true" />
// Kept in the declarations: since TypeScript 6 a project loads @types/node only when its tsconfig
// names it ("types": ["node"]); rxlog/nest's declarations use Node's types, so they bring them.
// The NestJS entry of rxlog: "rxlog/nest". Every export is named here.
export { RxlogModule } from './rxlog-module';
export { RXLOG_MODULE_OPTIONS } from './rxlog-module-options';
export type {
  RxlogModuleOptions,
  RxlogModuleAsyncOptions,
  RxlogOptionsFactory,
  RxlogRequestLoggingOptions,
  RxlogShutdownOptions,
} from './rxlog-module-options';
export { RxlogLoggerService } from './rxlog-logger-service';
export { InjectLogger, getLoggerToken } from './inject-logger';
export { RxlogRequestInterceptor } from './rxlog-request-interceptor';
export { RxlogRequestContext, REQUEST_LOGGING_SOURCE } from './rxlog-request-context';
export type { RequestState, RequestOutcome, KeptReport, RawRequest, RawResponse } from './rxlog-request-context';
export { REQUEST_COMPLETION_TEMPLATE } from './request-logging-settings';
export { RxlogShutdown } from './rxlog-shutdown';
