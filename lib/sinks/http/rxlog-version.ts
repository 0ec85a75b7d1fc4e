/**
 * rxlog's version, as package.json states it (a spec keeps the two equal): OtlpSink sends it as
 * `telemetry.sdk.version`. A constant, because a browser bundle has no package.json to read.
 */
export const RXLOG_VERSION = '0.1.0';
