import { runRetention } from '../helpers/retention';

// Caches keyed by what an app's data decides (template texts, property names, store keys), fed
// ever-new keys in a child process with --expose-gc (see fixtures/retention.ts): the heap's growth
// must stay within the cache's bound, far below what the keys weigh in all.

let results: Record<string, { growthMiB: number }>;
let fingers: { growthMiB: number; received: number; pending: number; dropped: number; droppedBy: Record<string, number> };
let throttle: Record<'templates' | 'structuredKeys', { growthMiB: number; summaries: number }>;
beforeAll(() => {
  const all = runRetention(
    'templates',
    'propertyNames',
    'offlineKeys',
    'throttleWindows',
    'ingestClientKeys',
    'fingersCrossedBytes',
  );
  throttle = all.throttleWindows as typeof throttle;
  fingers = all.fingersCrossedBytes as typeof fingers;
  results = all as typeof results;
}, 120_000);

describe('the template cache', () => {
  it('stays within its bound by weight when every call logs a new 2 000-character template (40 MB of text)', () => {
    expect(results.templates.growthMiB).toBeLessThan(16);
  });
});

describe('CompactJsonFormatter', () => {
  // Found by review: the cache of quoted property names was bounded by count (4096) only, so names
  // made from data, 10 000 characters each, kept about 80 MB per formatter (every HttpSink,
  // FileSink, StreamSink has one). Names past 256 characters are now quoted each time.
  it('keeps no more than a bounded weight of property names made from data (2 000 names of 10 000 characters)', () => {
    expect(results.propertyNames.growthMiB).toBeLessThan(8);
  });
});

describe('HttpSink offline store', () => {
  it('forgets the store keys of closed sinks where there are no Web Locks (5 000 keys of 2 000 characters)', () => {
    expect(results.offlineKeys.growthMiB).toBeLessThan(4);
  });
});

describe('throttleEvents', () => {
  // Found by review: the open windows were bounded by count only (maxKeys, 10 000), so keys made
  // from data kept their whole text, and each window its first suppressed event: 4 000 windows of
  // 20 000-character templates held 156 MiB, 10 000 of them 390 MiB. The windows now hold at most
  // 16 MiB (estimated); beyond it the oldest close early and send their summaries.
  it.each(['templates', 'structuredKeys'] as const)(
    'holds a bounded weight of windows keyed by %s of 20 000 characters (4 000 keys, each repeated), and loses no summary',
    (name) => {
      expect(throttle[name].growthMiB).toBeLessThan(48);
      expect(throttle[name].summaries).toBe(4_000);
    },
  );
});

describe('fingersCrossed', () => {
  // Found by review: the rings were bounded by count only (maxKeys 1 000 × bufferSize 1 000, up to
  // a million events), so debug events with a 10 KB body each, held in open request scopes, kept
  // 80 MB for 8 000 events and gigabytes at the bounds. They now hold at most maxBytes (16 MiB,
  // estimated) in all; beyond it the least recently seen keys are evicted, and counted.
  it('holds a bounded weight of debug events with 10 000-character bodies (8 000 events in 100 request scopes), counting what it evicts', () => {
    expect(fingers.growthMiB).toBeLessThan(40);
    expect(fingers.received).toBe(8_001);
    expect(fingers.dropped).toBeGreaterThan(0);
    expect(fingers.droppedBy).toEqual({ 'fingersCrossed.evicted': fingers.dropped });
    expect(fingers.received).toBe(fingers.pending + fingers.dropped);
  });
});

describe('createIngestHandler', () => {
  // Found by review: each client's rate-limit bucket kept its key as the app's key function gave
  // it, so keys from a header the client sets (up to 16 KiB each) held 29 MiB for 3 000 clients,
  // and up to 160 MB at the default maxKeys (10 000). A key past 64 characters is now kept as its
  // SHA-256 digest.
  it('keeps a bounded weight of client keys taken from a header the client sets (3 000 keys of 10 000 characters)', () => {
    expect(results.ingestClientKeys.growthMiB).toBeLessThan(10);
  });
});

describe('the size estimate', () => {
  // Found by review: the estimate remembered the last four strings of 64 Ki characters or more
  // (so a long string logged on every event is measured once), and held them until four others
  // were seen: with destructure.toMaximumStringLength raised, one 64 Mi-character body, logged
  // once and delivered, stayed in memory for good (128 MiB of heap, flattened).
  it('lets go of a long string once its event is delivered (one body of 64 Mi characters)', () => {
    const { delivered, growthMiB } = runRetention('longTextDelivered').longTextDelivered as {
      delivered: number;
      growthMiB: number;
    };
    expect(delivered).toBe(12);
    expect(growthMiB).toBeLessThan(16);
  }, 120_000);
});
