// The Node-only entry of rxlog: "rxlog/node". Every export is named here.
export { FileSink } from './file-sink';
export type { FileSinkOptions } from './file-sink';
export type { RollingInterval } from './rolling-interval';
export { FileSizeLimitError } from './file-size-limit-error';
export { StreamSink } from './stream-sink';
export type { StreamSinkOptions } from './stream-sink';
export { AsyncLocalStorageContextStore } from './async-local-storage-store';
export { useAsyncLocalStorage } from './use-async-local-storage';
export { installProcessHooks } from './install-process-hooks';
export type { HookableLogger, HookableProcess, ProcessHooksOptions } from './install-process-hooks';
export { withProcessId } from './with-process-id';
export { withProcessName } from './with-process-name';
export { withMachineName } from './with-machine-name';
export { withThreadId } from './with-thread-id';
export { withEnvironmentVariable } from './with-environment-variable';
