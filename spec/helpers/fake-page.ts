/** A stand-in browser page for the beacon specs: window events, navigator.sendBeacon, document.visibilityState. */
export interface FakePage {
  readonly target: EventTarget & { document: { visibilityState: string } };
  /** Every beacon the browser accepted: its URL, body text (after `settled()`) and content type. */
  readonly beacons: { url: string; body: string; type: string }[];
  /** How many times sendBeacon was called, accepted or not. */
  calls: number;
  /** Whether sendBeacon accepts call number `index` (from 0). Default: always. */
  accept: (index: number) => boolean;
  hide(): void;
  show(): void;
  setVisibility(state: 'visible' | 'hidden'): void;
  /** Waits for the beacons' bodies to be read. */
  settled(): Promise<void>;
  restore(): void;
}

const KEYS = ['addEventListener', 'removeEventListener', 'navigator', 'document'] as const;

/** Installs the fake page on globalThis (HttpSink feature-detects it there); `restore()` puts the originals back. */
export function installFakePage(): FakePage {
  const saved = KEYS.map((key) => [key, Object.getOwnPropertyDescriptor(globalThis, key)] as const);
  const target = Object.assign(new EventTarget(), { document: { visibilityState: 'visible' } });
  const reads: Promise<void>[] = [];
  const page: FakePage = {
    target,
    beacons: [],
    calls: 0,
    accept: () => true,
    hide: () => target.dispatchEvent(new Event('pagehide')),
    show: () => target.dispatchEvent(new Event('pageshow')),
    setVisibility: (state) => {
      target.document.visibilityState = state;
      target.dispatchEvent(new Event('visibilitychange'));
    },
    settled: async () => {
      await Promise.all(reads);
    },
    restore: () => {
      for (const [key, descriptor] of saved) {
        if (descriptor === undefined) delete (globalThis as Record<string, unknown>)[key];
        else Object.defineProperty(globalThis, key, descriptor);
      }
    },
  };
  const sendBeacon = (url: string, data?: unknown): boolean => {
    const index = page.calls++;
    if (!page.accept(index)) return false;
    const blob = data as Blob;
    const entry = { url, body: '', type: blob.type };
    page.beacons.push(entry);
    reads.push(blob.text().then((text) => void (entry.body = text)));
    return true;
  };
  const define = (key: string, value: unknown): void => {
    Object.defineProperty(globalThis, key, { value, configurable: true, writable: true });
  };
  define('addEventListener', target.addEventListener.bind(target));
  define('removeEventListener', target.removeEventListener.bind(target));
  define('navigator', { sendBeacon });
  define('document', target.document);
  return page;
}
