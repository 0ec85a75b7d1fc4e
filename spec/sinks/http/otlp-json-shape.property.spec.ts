import fc from 'fast-check';
import { hasLoneSurrogate } from '../../../lib/core/lone-surrogate';
import { LOG_LEVELS } from '../../../lib/core/log-level';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { MemorySink } from '../../../lib/sinks/memory-sink';
import { LogEventRecord } from '../../../lib/templates/log-event-record';
import { parseTemplate } from '../../../lib/templates/parse-template';
import { otlpLogRecordJson } from '../../../lib/sinks/http/otlp-log-record';
import { OtlpSink } from '../../../lib/sinks/http/otlp-sink';
import { anyValue, TEMPLATE_CHARACTERS } from '../../helpers/arbitraries';
import { hostile } from '../../helpers/hostile-values';

// The OTLP/JSON encoding (opentelemetry-proto's logs.proto and common.proto with the proto3 JSON mapping, and the
// OTLP specification's exceptions: trace and span ids as hex, enum as numbers): what a collector's JSON unmarshaller
// accepts. Each check names the field it failed on.
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ANY_VALUE_FIELDS = new Set([
  'stringValue',
  'boolValue',
  'intValue',
  'doubleValue',
  'bytesValue',
  'arrayValue',
  'kvlistValue',
]);

function fail(path: string, what: string, value: unknown): never {
  throw new Error(`${path}: ${what}, got ${JSON.stringify(value)}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkAnyValue(value: unknown, path: string): void {
  if (!isObject(value)) fail(path, 'an AnyValue object', value);
  const keys = Object.keys(value);
  // An empty AnyValue (no oneof set) is null/undefined, as the SDK writes it; more than one field is not an AnyValue.
  if (keys.length > 1) fail(path, 'one oneof field at most', keys);
  if (keys.length === 0) return;
  const [key] = keys;
  const field = value[key];
  if (!ANY_VALUE_FIELDS.has(key)) fail(path, 'a field of AnyValue', key);
  switch (key) {
    case 'stringValue':
      if (typeof field !== 'string' || hasLoneSurrogate(field)) fail(path, 'a well-formed string', field);
      return;
    case 'boolValue':
      if (typeof field !== 'boolean') fail(path, 'a boolean', field);
      return;
    case 'intValue':
      if (typeof field !== 'string' || !/^-?(?:0|[1-9][0-9]*)$/.test(field)) fail(path, 'an int64 as a decimal string', field);
      if (BigInt(field) < INT64_MIN || BigInt(field) > INT64_MAX) fail(path, 'an int64 in range', field);
      return;
    case 'doubleValue':
      if (typeof field === 'string' ? !['NaN', 'Infinity', '-Infinity'].includes(field) : typeof field !== 'number')
        fail(path, 'a number, or "NaN", "Infinity", "-Infinity"', field);
      return;
    case 'bytesValue':
      if (typeof field !== 'string' || !BASE64.test(field)) fail(path, 'base64', field);
      return;
    case 'arrayValue':
      if (!isObject(field) || Object.keys(field).join() !== 'values' || !Array.isArray(field.values))
        fail(path, 'an ArrayValue {values: [...]}', field);
      field.values.forEach((item, i) => checkAnyValue(item, `${path}.arrayValue[${i}]`));
      return;
    default:
      if (!isObject(field) || Object.keys(field).join() !== 'values' || !Array.isArray(field.values))
        fail(path, 'a KeyValueList {values: [...]}', field);
      checkKeyValues(field.values, `${path}.kvlistValue`, false);
  }
}

function checkKeyValues(list: unknown[], path: string, attributes: boolean): void {
  const seen = new Set<string>();
  list.forEach((item, i) => {
    if (!isObject(item) || Object.keys(item).sort().join() !== 'key,value')
      fail(`${path}[${i}]`, 'a KeyValue {key, value}', item);
    if (typeof item.key !== 'string' || hasLoneSurrogate(item.key)) fail(`${path}[${i}].key`, 'a well-formed string', item.key);
    // logs.proto: attribute keys MUST be unique (and non-empty, as the SDK keeps them).
    if (attributes && (item.key === '' || seen.has(item.key)))
      fail(`${path}[${i}].key`, 'a non-empty key not seen before', item.key);
    seen.add(item.key);
    checkAnyValue(item.value, `${path}[${i}].value`);
  });
}

function checkLogRecord(json: string): void {
  const record = JSON.parse(json) as unknown;
  if (!isObject(record)) fail('record', 'an object', record);
  for (const key of Object.keys(record))
    if (
      ![
        'timeUnixNano',
        'observedTimeUnixNano',
        'severityNumber',
        'severityText',
        'body',
        'attributes',
        'traceId',
        'spanId',
        'flags',
        'droppedAttributesCount',
      ].includes(key)
    )
      fail('record', 'a LogRecord field', key);
  for (const key of ['timeUnixNano', 'observedTimeUnixNano']) {
    const nanos = record[key];
    if (typeof nanos !== 'string' || !/^(?:0|[1-9][0-9]*)$/.test(nanos) || BigInt(nanos) >= 2n ** 64n)
      fail(key, 'a fixed64 as a decimal string', nanos);
  }
  const severity = record.severityNumber;
  if (typeof severity !== 'number' || !Number.isInteger(severity) || severity < 0 || severity > 24)
    fail('severityNumber', 'a SeverityNumber (0-24)', severity);
  if (typeof record.severityText !== 'string') fail('severityText', 'a string', record.severityText);
  checkAnyValue(record.body, 'body');
  if (!Array.isArray(record.attributes)) fail('attributes', 'an array', record.attributes);
  checkKeyValues(record.attributes, 'attributes', true);
  if (
    'traceId' in record &&
    (typeof record.traceId !== 'string' || !/^[0-9a-f]{32}$/.test(record.traceId) || /^0+$/.test(record.traceId))
  )
    fail('traceId', '32 hex digits, not all zero', record.traceId);
  if (
    'spanId' in record &&
    (typeof record.spanId !== 'string' || !/^[0-9a-f]{16}$/.test(record.spanId) || /^0+$/.test(record.spanId))
  )
    fail('spanId', '16 hex digits, not all zero', record.spanId);
  if (
    'flags' in record &&
    (typeof record.flags !== 'number' || !Number.isInteger(record.flags) || record.flags < 0 || record.flags > 0xffffffff)
  )
    fail('flags', 'a fixed32', record.flags);
  // A uint32, written only when not 0 (proto3's default).
  if (
    'droppedAttributesCount' in record &&
    (typeof record.droppedAttributesCount !== 'number' ||
      !Number.isInteger(record.droppedAttributesCount) ||
      record.droppedAttributesCount < 1 ||
      record.droppedAttributesCount > 0xffffffff)
  )
    fail('droppedAttributesCount', 'a uint32 > 0', record.droppedAttributesCount);
}

describe('OTLP/JSON log records', () => {
  const memory = new MemorySink();
  const log = new LoggerConfiguration().minimumLevel.verbose().writeTo.sink(memory).createLogger();
  const template = fc.oneof(
    fc.string({ unit: fc.constantFrom(...TEMPLATE_CHARACTERS, 'A', '\ud800'), maxLength: 20 }),
    fc.constantFrom('{A} {@B} {$C} {D:X} {E,5}', '{0} {1} {2}', '{TraceId} {SpanId} {TraceFlags}'),
  );
  const value = fc.oneof(
    anyValue({ maxDepth: 3 }),
    fc.constantFrom<unknown>(
      -0,
      NaN,
      Infinity,
      -Infinity,
      2n ** 63n,
      -(2n ** 63n),
      2n ** 63n - 1n,
      2 ** 53,
      1e300,
      0.1,
      new Uint8Array([0, 255]),
      Buffer.from('hi'),
      Symbol('s'),
      () => 1,
      new Date(NaN),
      '\ud800',
    ),
    fc.constantFrom('0af7651916cd43dd8448eb211c80319c', '0'.repeat(32), 'b7ad6b7169203331', '0'.repeat(16), 1, 255, 256),
  );
  const key = fc.oneof(
    fc.string({ maxLength: 4 }),
    fc.constantFrom(
      '',
      'TraceId',
      'SpanId',
      'TraceFlags',
      'message_template.text',
      'exception.type',
      'exception.message',
      'exception.stacktrace',
      '\ud800',
      '__proto__',
    ),
  );
  const time = fc.oneof(
    fc.double({ noNaN: true }),
    fc.integer({ min: -1e13, max: 2e13 }),
    fc.constantFrom(18_446_744_073_709, 18_446_744_073_710, -1, 0.5),
  );
  const exception = fc.option(
    fc.oneof(
      fc
        .tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }))
        .map(([name, message]) => Object.assign(new Error(message), { name })),
      fc.constantFrom<unknown>('thrown text', 42, null, { message: 1 }),
    ),
    { nil: undefined },
  );

  it('are such JSON for hostile values never captured (throwing getters and traps, cycles, typed arrays)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, hostile), { maxLength: 4 }), hostile, (entries, make) => {
        const raw: Record<string, unknown> = {};
        for (const [name, value] of entries)
          Object.defineProperty(raw, name, { value: value(), enumerable: true, configurable: true });
        const event = new LogEventRecord(0, 'error', parseTemplate('{A} {B}'), raw, make() as Error);
        checkLogRecord(otlpLogRecordJson(event));
      }),
      { numRuns: 300 },
    );
  });

  it('are JSON whose every field has the shape the proto3 JSON mapping gives it, for any event', () => {
    fc.assert(
      fc.property(
        template,
        fc.array(value, { maxLength: 3 }),
        fc.array(fc.tuple(key, value), { maxLength: 4 }),
        fc.constantFrom(...LOG_LEVELS),
        exception,
        time,
        (text, args, context, level, error, t) => {
          memory.clear();
          let logger = log;
          for (const [name, v] of context) logger = logger.forContext(name, v);
          if (error === undefined) logger.write(level, text, ...args);
          else logger.write(level, error, text, ...args);
          const made = memory.events[0];
          checkLogRecord(otlpLogRecordJson(made));
          // And the event as an app-built one, with values never captured and any time.
          const raw: Record<string, unknown> = {};
          for (const [name, v] of context) Object.defineProperty(raw, name, { value: v, enumerable: true, configurable: true });
          args.forEach((v, i) => Object.defineProperty(raw, `A${i}`, { value: v, enumerable: true, configurable: true }));
          checkLogRecord(otlpLogRecordJson(new LogEventRecord(t, made.level, made.messageTemplate, raw, made.exception)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('make request bodies of that shape, whatever the scopes (SourceContext) and resource attributes', async () => {
    const bodies: string[] = [];
    const fetch = (_url: unknown, init?: { body?: unknown }): Promise<Response> => {
      bodies.push(String(init?.body));
      return Promise.resolve(new Response('{}', { status: 200 }));
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.option(key, { nil: undefined }), value), { minLength: 1, maxLength: 4 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.oneof(fc.string(), fc.boolean(), fc.integer(), fc.double())),
        async (records, resource) => {
          bodies.length = 0;
          const sink = new OtlpSink({ endpoint: 'http://collector/v1/logs', fetch, resource, serviceName: 'svc' });
          await sink.emit(
            records.map(
              ([scope, v]) =>
                new LogEventRecord(
                  0,
                  'information',
                  parseTemplate('{A}'),
                  scope === undefined ? { A: v } : { A: v, SourceContext: scope },
                ),
            ),
          );
          const body = JSON.parse(bodies[0]) as {
            resourceLogs: {
              resource: { attributes: unknown[] };
              scopeLogs: { scope: { name: unknown }; logRecords: unknown[] }[];
            }[];
          };
          expect(body.resourceLogs).toHaveLength(1);
          checkKeyValues(body.resourceLogs[0].resource.attributes, 'resource.attributes', true);
          let count = 0;
          for (const scope of body.resourceLogs[0].scopeLogs) {
            if (typeof scope.scope.name !== 'string' || hasLoneSurrogate(scope.scope.name))
              fail('scope.name', 'a well-formed string', scope.scope.name);
            for (const record of scope.logRecords) checkLogRecord(JSON.stringify(record));
            count += scope.logRecords.length;
          }
          expect(count).toBe(records.length);
        },
      ),
      { numRuns: 100 },
    );
  });
});
