import type { Subscription } from 'rxjs';
import { unrefScheduler } from '../../core/unref-scheduler';
import { checkOptionKeys } from '../../core/check-option-keys';
import { ConfigurationError } from '../../core/errors/configuration-error';
import { hasMethods } from '../../core/has-methods';
import { reportedCount } from '../../core/errors/partial-delivery-error';
import { retryHint } from '../../core/retry-hint';
import { SelfLog } from '../../core/self-log';
import type { EmitResult } from '../../core/sink';
import { expectOption } from '../../core/expect-option';
import { runDetached } from '../../context/log-context';
import { isOffline } from './http-online';
import { HttpStatusError } from './http-status-error';
import { HttpTimeoutError } from './http-timeout-error';
import { utf8Length } from './http-utf8-length';

/** Where undeliverable batches wait: `localStorage`, or any object with the same three methods. */
export interface OfflineStore {
  /** The stored text under `key`, or null when there is none. */
  getItem(key: string): string | null;
  /** Stores `value` under `key`; may throw when the store is full (the batch being saved then stays with the logger). */
  setItem(key: string, value: string): void;
  /** Removes what is stored under `key`. */
  removeItem(key: string): void;
  /**
   * The name of the index-th key, with `length` (localStorage has both): then each batch is kept
   * under a key of its own, so tabs that keep batches at the same moment never write over each
   * other's. Without them, every batch is kept in one value under the store key (fine for a store
   * only one page uses).
   */
  key?(index: number): string | null;
  /** How many keys the store holds (see `key`). */
  readonly length?: number;
}

/** The `offline` option of HttpSink. */
export interface HttpOfflineOptions {
  /** Where batches are kept. Default `globalThis.localStorage` (browsers); elsewhere pass one. Where the browser blocks localStorage (reading it throws), the sink works as without `offline` and SelfLog says so. */
  store?: OfflineStore | undefined;
  /** The most the store holds, in UTF-8 bytes of request bodies; a batch that would carry it past this is not kept (it stays with the logger). Default `1_048_576` (1 MiB, within every browser's localStorage quota). */
  maxBytes?: number | undefined;
  /** The store key. Default `'rxlog:offline:'` followed by the sink's URL, query included: give a fixed one when the URL changes between page loads (a session id or token in its query), or each page gets a store of its own and never sends what an earlier one kept. */
  key?: string | undefined;
}

/** What the offline store did, as seen from this page (the store itself outlives it). */
export interface OfflineStats {
  /** Events this page put into the store (they count as `delivered` in the logger's metrics; a batch the store cannot keep does not: see `save`). */
  readonly stored: number;
  /** Events sent from the store to the server by this page, whichever page stored them, that it took. */
  readonly replayed: number;
  /**
   * Events of stored batches the server refused for good when replayed (a status the sink does not
   * retry, but 401 and 403, which leave them stored, and a redirect, 404 or 501, which leave them
   * stored for 10 replays; or those a 2xx answer says it refused, as an OTLP partial success does),
   * and of stored entries it cannot send
   * (unreadable, or larger than `maxBytes`). The store never drops what it kept to make room; a
   * batch it cannot keep stays with the logger.
   */
  readonly dropped: number;
  /** Events in the store now (from any page or tab using the same key). */
  readonly pending: number;
  /** UTF-8 bytes of the bodies in the store now. */
  readonly pendingBytes: number;
}

/** A request body of `count` events, as the store keeps it. */
export interface OfflinePiece {
  readonly body: string;
  readonly count: number;
}

interface Entry extends OfflinePiece {
  readonly id: string;
  /** How many replays, from any page, the server answered with a redirect, 404 or 501 (see `#passing`). */
  readonly refused?: number;
}

/**
 * The offline half of HttpSink: a batch that cannot leave (the browser is offline, or `fetch`
 * fails with a network error) is kept in a bounded store instead of failing, and sent again,
 * oldest first, on the window's `online` event, at the next page load, after any later
 * successful request, and on a timer after a replay that failed or a batch kept after a network error (see `#retryLater`); a new batch waits until the store has been sent, so events keep their order
 * (and goes into the store if the page goes away or is hidden meanwhile). HTTP error answers and timeouts are not kept: they go through the logger's
 * retry and circuit breaker as before (a timed-out request may have arrived). After a `Retry-After`,
 * nothing is sent until the replay timer ends the wait: new batches, and retries, go into the store.
 * The wait's end is kept in the store too (see `#hold`), so the next page and the other tabs keep to it.
 *
 * A stored batch leaves the store only once this page has seen the server's answer, so a replay
 * must not outlive its page: it never starts while the page is going away (after `pagehide`,
 * until a `pageshow`), and its requests are sent without `keepalive`, so one in flight at unload
 * is cancelled with the page instead of arriving unseen and being sent again by the next page.
 */
export class HttpOfflineQueue {
  readonly #send: (body: string, keepalive?: boolean) => Promise<void | EmitResult>;
  readonly #halves: StoredHalves;
  readonly #join: StoredJoin;
  /**
   * The largest body the sink sends from the store now (see `#replayAll`), in UTF-8 bytes, for a
   * stored batch (`whole`) or the half of one: read at each request, as a 413 lowers the first.
   */
  readonly #pieceBytes: (whole: boolean) => number;
  /** The most events stored batches are joined up to in one request: what a live batch holds by default (see `#replayAll`). */
  readonly #joinCount: () => number;
  readonly #store: OfflineStore;
  readonly #maxBytes: number;
  readonly #key: string;
  /** Where the store keeps `#until` for the next page and the other tabs (see `#hold`). */
  readonly #holdKey: string;
  #storedCount = 0;
  #replayedCount = 0;
  #droppedCount = 0;
  #replaying: Promise<void> | undefined;
  /** The stored batches this page sent (or dropped) that the store still held at its last read: never sent again, even where the store could not forget them. */
  readonly #sentIds = new Set<string>();
  #closed = false;
  /** The batches `deliver` holds back until the replay ends (their `pieces`); page hide takes out those it put into the store. */
  readonly #waiting = new Set<() => readonly OfflinePiece[]>();
  /**
   * A keyed store's entries as last read, by key, with the text each was read from: one whose text
   * is unchanged is not parsed again (the store is read at every save and replay request, and a
   * page offline for an hour keeps thousands of small batches). Holds what the store holds, no more.
   */
  #parsed = new Map<string, [string, Entry]>();
  /**
   * A keyed store's entry keys as last listed, and how many keys the store held then: listing
   * calls `key(index)` for every key of the origin, other libraries' too (10 000 of them: 16-28 ms
   * in Chromium, at every save and twice for every batch sent). Listed again only when the store's
   * `length` is not what this page left it at (another writer added or took out a key), another
   * tab wrote one of this store's keys (`storage`), or a replay starts; this page's own writes
   * follow it (see `#track`).
   */
  #listed: Set<string> | undefined;
  /** How many keys the store held when this page last listed or wrote it (see `#listed`). */
  #length = 0;
  /** Whether the store lists its keys (see `OfflineStore.key`): each entry under a key of its own. */
  readonly #keyed: boolean;
  /** Between `pagehide` and `pageshow`: the page may be unloading and could not learn a replay's outcome. */
  #leaving = false;
  /** The replay scheduled after a failure (see `#retryLater`): at most one pending. */
  #retry: Subscription | undefined;
  /**
   * Until when (`Date.now()`) the server asked for no request (a `Retry-After`, see `#retryLater`):
   * the replay timer fires then and ends the wait; until it does, no replay starts, new batches go
   * into the store and page hide keeps what it holds there, instead of a request or a beacon. Kept
   * in the store for the next page and the other tabs, and taken from there (see `#hold`, `#adopt`).
   */
  #until = 0;
  /** Replays in a row that stopped at a failure without an answer saying when to come back: the backoff's exponent. */
  #failures = 0;
  /**
   * Whether the last request failed without an answer (a network error while `navigator.onLine`
   * is true: the server is unreachable): new batches then go into the store until the replay
   * timer's next try (see `deliver`).
   */
  #unreachable = false;
  /**
   * Follows the page: `pagehide` stops replays from starting, `pageshow` allows them again;
   * `online` and `pageshow` start one. `visibilitychange` starts none (a batch waits only while one
   * runs): a page switched to and from would send to a failing server at each switch.
   */
  readonly #onPageEvent = (event: { type: string; key?: string | null }): void => {
    if (event.type === 'storage') {
      // Another tab's write (localStorage.clear() has no key): listed again at the next read.
      if (event.key?.startsWith(this.#key) !== false) this.#listed = undefined;
      return;
    }
    if (event.type === 'pagehide' || event.type === 'pageshow') this.#leaving = event.type === 'pagehide';
    // A page going away replays nothing; `pageshow` starts a replay if it comes back.
    if (this.#leaving) this.#cancelRetry();
    // The replay's request is cancelled with the page: the batches waiting for it go into the store,
    // after what it holds. Once the page is hidden too: a mobile browser often kills a hidden page
    // without pagehide (visibilitychange is the last event it reliably gets).
    if (this.#leaving || documentHidden())
      for (const pieces of this.#waiting)
        try {
          if (this.save(pieces())) this.#waiting.delete(pieces);
        } catch {
          // A body function that fails on part of the batch: it stays waiting, as without a store.
        }
    if (event.type !== 'visibilitychange') void this.#replay();
  };
  readonly #start: Subscription;

  /** @throws ConfigurationError naming the bad option. */
  constructor(
    options: HttpOfflineOptions,
    url: string,
    where: string,
    send: (body: string, keepalive?: boolean) => Promise<void | EmitResult>,
    halves: StoredHalves,
    join: StoredJoin,
    pieceBytes: (whole: boolean) => number,
    joinCount: () => number,
  ) {
    this.#send = send;
    this.#joinCount = joinCount;
    this.#halves = halves;
    this.#join = join;
    this.#pieceBytes = pieceBytes;
    const given = options as { [K in keyof HttpOfflineOptions]?: unknown } | null;
    expectOption(typeof given === 'object' && given !== null, where, 'an object', options);
    checkOptionKeys(where, given, ['store', 'maxBytes', 'key'] satisfies (keyof HttpOfflineOptions)[]);
    // HttpSink has read localStorage with storageBlocked() first: reading it here does not throw.
    const store = given.store ?? (globalThis as { localStorage?: unknown }).localStorage;
    if (!hasMethods(store, STORE_METHODS))
      throw new ConfigurationError(
        `${where}.store: expected an object with getItem, setItem and removeItem${given.store === undefined ? ' (this platform has no localStorage)' : ''}`,
      );
    this.#store = store as unknown as OfflineStore;
    this.#keyed = typeof this.#store.key === 'function' && typeof this.#store.length === 'number';
    const maxBytes = given.maxBytes ?? 1_048_576;
    expectOption(typeof maxBytes === 'number' && maxBytes > 0, `${where}.maxBytes`, 'bytes > 0', maxBytes);
    this.#maxBytes = maxBytes;
    const key = given.key ?? `rxlog:offline:${url}`;
    expectOption(typeof key === 'string' && key !== '', `${where}.key`, 'a string', key);
    this.#key = key;
    // Not read as a stored batch's key, `<key>#<id>`: an id has no '#'.
    this.#holdKey = `${key}#until#`;
    this.#follow('addEventListener');
    // What earlier pages left behind goes out once the logger is set up.
    this.#start = unrefScheduler.schedule(() => void this.#replay());
  }

  /**
   * Whether a request now would be lost or refused, so page hide puts what it holds into the store
   * instead of a beacon: the last request found no server though the browser said it was online
   * (a beacon would be lost too), or the server asked for no request yet (a `Retry-After`, this
   * page's or one another page or tab kept in the store: see `#adopt`).
   */
  get holding(): boolean {
    return this.#unreachable || this.#adopt() > Date.now();
  }

  /** The counters of this page and what the store holds now. */
  stats(): OfflineStats {
    let pending = 0;
    let pendingBytes = 0;
    for (const entry of this.#read() ?? []) {
      pending += entry.count;
      pendingBytes += utf8Length(entry.body);
    }
    return { stored: this.#storedCount, replayed: this.#replayedCount, dropped: this.#droppedCount, pending, pendingBytes };
  }

  /**
   * Sends a body, keeping it in the store when the browser is offline or the request fails
   * without an HTTP answer; resolves true once it was sent or stored, false when the browser is
   * offline and the store cannot keep it (the caller waits for the network, as without a store);
   * rejects on HTTP errors and timeouts, and on a network error the store cannot keep. A batch sent
   * at once resolves with what its answer said of it (an EmitResult), if anything. A batch is kept
   * as `pieces()` cuts it (bodies a server's size limit takes, where the whole body may be refused).
   */
  async deliver(body: string, count: number, pieces: () => readonly OfflinePiece[]): Promise<boolean | EmitResult> {
    if (isOffline()) return this.save(pieces());
    // The server was unreachable at the last try and the replay timer tries again: a request now
    // would fail too (three a batch: the replay's, the batch's, and again without keepalive). Or
    // it asked for no request yet: the timer's replay sends this batch after the stored ones.
    if (((this.#unreachable && this.#retry !== undefined) || this.#adopt() > Date.now()) && this.save(pieces())) return true;
    // What the store holds is older than this batch: it goes first, so the server gets events in
    // the order they were logged (unless the replay stops at a failure; then this batch goes on,
    // but into the store when the server answered with a Retry-After).
    if (this.#read()?.length) {
      this.#waiting.add(pieces);
      await this.#replay();
      // Gone: page hide put it into the store.
      if (!this.#waiting.delete(pieces)) return true;
      if (this.#until > Date.now() && this.save(pieces())) return true;
    }
    let result: void | EmitResult;
    try {
      result = await this.#send(body);
    } catch (error) {
      // A live batch's Retry-After holds the replay and the batches after this one as a replay's does.
      const { retryAfterMs } = retryHint(error);
      if (retryAfterMs !== undefined) this.#retryLater(retryAfterMs);
      // Closed meanwhile: the logger reported the batch undelivered, it must not leave later from the store.
      if (this.#closed || error instanceof HttpStatusError || error instanceof HttpTimeoutError || !this.save(pieces()))
        throw error;
      SelfLog.write('HttpSink: a batch of {Count} events could not be sent ({Error}); it is kept offline', count, error);
      // Sent again on the replay timer: a page that logs nothing more has no other trigger.
      this.#unreachable = true;
      this.#retryLater(undefined);
      return true;
    }
    this.#unreachable = false;
    this.#hold();
    if (this.#read()?.length) void this.#replay();
    return result ?? true;
  }

  /**
   * Puts bodies into the store now (synchronously), all of them or none: true once kept. The store never
   * drops a batch it kept to make room (the logger counted that one delivered), so past
   * `maxBytes`, when the storage quota refuses the write or the storage cannot be read, it keeps
   * nothing and answers false: the caller then handles the batch as without a store (it stays
   * pending, is retried, or counts as failed), and nothing is lost uncounted.
   */
  save(pieces: readonly OfflinePiece[]): boolean {
    const entries = this.#read();
    let reason = 'the storage cannot be read';
    let count = 0;
    for (const piece of pieces) count += piece.count;
    if (entries !== undefined) {
      // Sorted by time, then by this page's sequence: the order a keyed store lists them in. The
      // time never goes below the newest entry's, so a clock set back (a device's clock corrected
      // when the network returns) cannot put a later batch before the ones it follows.
      const time = Math.max(Date.now(), idTime(entries[entries.length - 1]) + 1);
      const added = pieces.map(({ body, count }) => ({
        id: `${time.toString(36).padStart(9, '0')}-${(sequence++).toString(36).padStart(7, '0')}-${Math.random().toString(36).slice(2, 8)}`,
        count,
        body,
      }));
      reason = 'it would hold more than offline.maxBytes';
      if ([...entries, ...added].reduce((sum, entry) => sum + utf8Length(entry.body), 0) <= this.#maxBytes) {
        reason = 'the storage refused the write';
        if (this.#add(entries, added)) {
          this.#storedCount += count;
          return true;
        }
      }
    }
    SelfLog.write('HttpSink: the offline store cannot keep {Count} events ({Reason}); the logger keeps them', count, reason);
    return false;
  }

  /** Stops listening for `online`; what the store holds stays for the next page. */
  close(): void {
    this.#closed = true;
    this.#start.unsubscribe();
    this.#cancelRetry();
    this.#follow('removeEventListener');
  }

  /** Starts or stops following the window's `online`, `pagehide`, `pageshow` and `visibilitychange` events, where there is a window. */
  #follow(method: 'addEventListener' | 'removeEventListener'): void {
    const listen = (globalThis as Partial<Record<typeof method, unknown>>)[method];
    if (typeof listen !== 'function') return;
    for (const type of PAGE_EVENTS) (listen as Listen).call(globalThis, type, this.#onPageEvent);
  }

  /**
   * Sends what the store holds, oldest first, one request at a time; stops at the first failure
   * (and tries again later: see `#retryLater`), and does not start while the page is going away.
   */
  #replay(): Promise<void> {
    if (this.#held()) return Promise.resolve();
    // As every other write of the sink: in no caller's context (the request whose code built the
    // sink, the page's online event), and with suppressSinkTracing's wrapper, untraced.
    this.#replaying ??= withLock(this.#key, () => runDetached(() => this.#replayAll())).finally(
      () => (this.#replaying = undefined),
    );
    return this.#replaying;
  }

  /**
   * Whether the server asked for no request yet (this page's `Retry-After`, or one kept in the
   * store: see `#adopt`): the timer set then replays (again after `pagehide` cleared it, at
   * `pageshow`), never later than the wait's bound.
   */
  #held(): boolean {
    const wait = this.#adopt() - Date.now();
    if (wait > 0 && this.#retry === undefined) this.#schedule(Math.min(wait, RETRY_MAX_MS));
    return wait > 0;
  }

  /** The replay loop; resolves true when it sent (or dropped) anything. */
  async #replayAll(): Promise<boolean> {
    let sent = false;
    let alone = false;
    // A batch answered a redirect, 404 or 501 for the 10th replay was dropped: the ones after it go on the first such answer.
    let gaveUp = false;
    // Held since it was asked for: the replay of another tab, which this one waited for (the Web
    // Lock), was answered with a Retry-After.
    if (this.#held()) return false;
    // Whichever trigger started this replay, the one scheduled is not needed now.
    this.#cancelRetry();
    // Listed afresh: another sink of this page with the same key writes without a `storage` event.
    this.#listed = undefined;
    while (!this.#closed && !isOffline() && !this.#leaving) {
      const entries = this.#read();
      if (entries === undefined) break;
      // Past what this page sent already and could not take out (a store that cannot be written);
      // an id no longer stored is forgotten, so the set holds no more than the store.
      for (const id of this.#sentIds) if (!entries.some((entry) => entry.id === id)) this.#sentIds.delete(id);
      const unsent = entries.filter((entry) => !this.#sentIds.has(entry.id));
      const next = unsent[0] as Entry | undefined;
      if (next === undefined) break;
      // Kept under a larger bound (an earlier page's maxRequestBytes, since lowered), or a batch
      // (not the half of one: an id with '.', see `#split`) larger than the size a 413 taught the
      // sink (see `StoredJoin`), as a live batch is cut: cut in the store as a body refused as too
      // large is (see below), before it is sent, not sent whole to be refused. The halves of a
      // refused body go as they are (as a live batch's do), split again only if refused: the size
      // learned is at first half the refused one, and would cut them smaller than the server takes.
      if (next.count > 1 && utf8Length(next.body) > this.#pieceBytes(!next.id.includes('.'))) {
        const halves = this.#halves(next, undefined);
        if (halves !== undefined && this.#split(next, halves)) continue;
      }
      // The batches that follow go in the same request, as far as the sink can join their bodies
      // (lines, within a stored piece's bound: see `StoredJoin`): a page offline for an hour keeps
      // a small batch every second or so, and sent one request each, they held the page's new
      // batches back for thousands of requests.
      // Not the halves of a body answered 413 (an id with '.', see `#split`): the server's limit is lower.
      // Nor past the events of a live batch (the sink's batch size), so a server sized for live
      // batches (an ingest handler's `maxEvents`) takes replays whole; each entry is sent whole,
      // one over that count (stored under a larger batch size) on its own.
      const group = [next];
      let body = next.body;
      let count = next.count;
      for (const entry of alone || next.id.includes('.') ? [] : unsent.slice(1)) {
        const joined =
          entry.id.includes('.') || count + entry.count > this.#joinCount() ? undefined : this.#join(body, entry.body);
        if (joined === undefined) break;
        group.push(entry);
        body = joined;
        count += entry.count;
      }
      try {
        // Not keepalive: a request that outlived the page would arrive without the store learning it.
        // A 2xx may refuse some of the batch's events (an OTLP partial success), read as for a live batch.
        const refused = reportedCount((await this.#send(body, false))?.rejected ?? 0, count);
        this.#replayedCount += count - refused;
        this.#droppedCount += refused;
        if (refused > 0) SelfLog.write('HttpSink: {Count} events dropped: the server refused them in a stored batch', refused);
      } catch (error) {
        const status = error instanceof HttpStatusError ? error.status : 0;
        // Kept for the next trigger: what a live batch would be retried after (no answer, a timeout,
        // a status the sink retries, see HttpSink.permanent), and a refusal of the credentials (401,
        // 403: an expired token, which the app renews), not of the batch.
        const hint = retryHint(error);
        // A redirect (an opaque one too), 404 and 501 say the URL answers nothing now, not that the
        // batch is bad, and come from what stands in front of the server as often as from it: a
        // captive portal's 302, a 404 while the server is being deployed. Kept, for 10 replays.
        const passing = error instanceof HttpStatusError && (status < 400 || status === 404 || status === 501);
        const later: boolean =
          !hint.permanent || status === 401 || status === 403 || (passing && !gaveUp && this.#refusedAgain(next));
        gaveUp ||= passing && !later;
        if (group.length > 1 && !later && !passing) {
          // Too large (the sink would cut it): the sink learns its size, and the next request joins
          // below it (about half the bytes), and so on while refused, down to one entry; this replay
          // and the next join below it from then on (see `StoredJoin`). Refused for good otherwise
          // (one bad line), or a body of fewer than 2 events or bytes (the learned size could not
          // shrink it): from here on each is sent on its own and judged alone.
          alone ||= count < 2 || body.length < 2 || this.#halves({ body, count }, error) === undefined;
          continue;
        }
        // Too large for the server (a 413): its halves take its place in the store, and go next,
        // each split again if need be, as a live batch's halves; the store says at every moment
        // what is still to send, so a page left midway sends the rest, and only the rest, next time.
        const halves = this.#halves(next, error);
        if (halves !== undefined) {
          // Quiet, as a live batch's halves are: a deep split would say so once per request.
          if (this.#split(next, halves)) {
            sent = true;
            continue;
          }
          SelfLog.write('HttpSink: the offline store has no room to split a stored batch the server found too large');
        }
        if (later) {
          this.#unreachable = !(error instanceof HttpStatusError || error instanceof HttpTimeoutError);
          this.#retryLater(hint.retryAfterMs);
          break;
        }
        this.#droppedCount += count;
        SelfLog.write('HttpSink: {Count} events dropped: the server refused a stored batch', count, error);
      }
      sent = true;
      this.#failures = 0;
      this.#unreachable = false;
      this.#hold();
      const ids = group.map(({ id }) => id);
      for (const id of ids) this.#sentIds.add(id);
      this.#remove(ids);
    }
    return sent;
  }

  /**
   * Schedules the next replay after one stopped at a failure (or a batch was kept after a network error), so an idle page (nothing more logged,
   * no `online` event to come: the browser still says it is online) does not hold the store until
   * it is reloaded: after the `Retry-After` delay the server asked for, when it gave one (at least
   * `RETRY_MIN_MS`), else after a backoff from `BACKOFF_MS` doubling with each failed replay in a
   * row, both at most `RETRY_MAX_MS` (Serilog's durable sinks' bounds). A `Retry-After` (a replay's
   * or a live batch's) also holds every other request until the timer fires (see `#until`). One
   * timer at most, unref'd (it never keeps a Node process alive), cleared on close, on `pagehide`
   * and when a replay starts.
   * None while offline: the `online` event starts the replay.
   */
  #retryLater(retryAfterMs: number | undefined): void {
    const backoff = BACKOFF_MS * 2 ** Math.min(this.#failures++, 16);
    const delay = Math.min(retryAfterMs === undefined ? backoff : Math.max(retryAfterMs, RETRY_MIN_MS), RETRY_MAX_MS);
    // The server's wish is for every request to it: live batches and page hide keep to it too, and
    // so do the next page and the other tabs, which find it in the store.
    if (retryAfterMs !== undefined) this.#hold((this.#until = Date.now() + delay));
    this.#schedule(delay);
  }

  /**
   * Keeps `until` in the store as the hold of every page and tab using it (see `#adopt`), or takes
   * the hold out (none given: an answer came, or the wait is over). A store that refuses leaves
   * the hold to this page.
   */
  #hold(until?: number): void {
    try {
      if (until) this.#store.setItem(this.#holdKey, String(until));
      else this.#store.removeItem(this.#holdKey);
    } catch {
      // This page still waits (`#until`); the next one cannot know.
    }
  }

  /**
   * `#until`, after taking in the hold kept in the store (see `#hold`) when it ends later: a
   * `Retry-After` an earlier page or another tab was answered with. One that is not a time, is
   * over, or ends more than `RETRY_MAX_MS` from now (the longest wait, so never a value a clock
   * set back or another app made) is taken out. Taking one in arms the replay timer for its end.
   * Read before a batch or a replay is sent, and at page hide: a getItem, not one per event.
   */
  #adopt(): number {
    let text: string | null = null;
    try {
      text = this.#store.getItem(this.#holdKey);
    } catch {
      // Unreadable: this page's own hold only.
    }
    if (text !== null) {
      const until = /^\d{1,15}$/.test(text) ? Number(text) : 0;
      const wait = until - Date.now();
      if (wait <= 0 || wait > RETRY_MAX_MS) this.#hold();
      else if (until > this.#until) {
        this.#until = until;
        this.#schedule(wait);
      }
    }
    return this.#until;
  }

  /** Arms the replay timer (see `#retryLater`); none once closed, while the page goes away, or offline. */
  #schedule(delay: number): void {
    this.#cancelRetry();
    if (this.#closed || this.#leaving || isOffline()) return;
    this.#retry = unrefScheduler.schedule(() => {
      this.#retry = undefined;
      // The wait is over when its timer fires, whatever the clock says (a device's clock set back
      // meanwhile), in the store too; unless another tab kept a later one meanwhile: this one then
      // waits for it (the replay below starts nothing, the timer is armed again).
      const ended = this.#until;
      if (this.#adopt() === ended) this.#hold((this.#until = 0));
      void this.#replay();
    }, delay);
  }

  #cancelRetry(): void {
    this.#retry?.unsubscribe();
    this.#retry = undefined;
  }

  /**
   * Counts one more replay of `entry` answered with a redirect, 404 or 501, in the store, so every
   * page's replays count: whether it stays stored (fewer than `MAX_PASSING_REFUSALS`, and the count
   * was written; one the store cannot count could be sent for ever, so it goes).
   */
  #refusedAgain(entry: Entry): boolean {
    const refused = (Number.isSafeInteger(entry.refused) ? (entry.refused as number) : 0) + 1;
    if (refused >= MAX_PASSING_REFUSALS) return false;
    const counted = { ...entry, refused };
    if (!this.#keyed) {
      const entries = this.#read();
      if (entries === undefined) return false;
      const at = entries.findIndex((stored) => stored.id === entry.id);
      if (at >= 0) entries.splice(at, 1, counted);
      return at < 0 || this.#write(entries);
    }
    try {
      // Another tab took it out meanwhile: nothing to keep.
      if (this.#store.getItem(this.#entryKey(entry.id)) === null) return true;
      this.#store.setItem(this.#entryKey(entry.id), JSON.stringify({ count: entry.count, body: entry.body, refused }));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Puts `halves` in the place of `entry`, all or none: whether the store now holds them (or another
   * tab took `entry` out meanwhile: then nothing is written). Their ids sort where the entry's did:
   * `<id>.0` and `<id>.1` come after `<id>`, and before any later id ('.' sorts before digits and letters).
   */
  #split(entry: Entry, halves: readonly OfflinePiece[]): boolean {
    const parts = halves.map(({ body, count }, index) => ({ id: `${entry.id}.${index}`, count, body }));
    if (this.#keyed) {
      try {
        if (this.#store.getItem(this.#entryKey(entry.id)) === null) return true;
      } catch {
        return false;
      }
      if (!this.#add([], parts)) return false;
      // Never sent again, should the store fail to take it out.
      this.#sentIds.add(entry.id);
      this.#remove([entry.id]);
      return true;
    }
    const entries = this.#read();
    if (entries === undefined) return false;
    const at = entries.findIndex((stored) => stored.id === entry.id);
    if (at < 0) return true;
    entries.splice(at, 1, ...parts);
    return this.#write(entries);
  }

  /** Keeps `added` after `entries` (what the store holds), all or none: whether it did. */
  #add(entries: readonly Entry[], added: readonly Entry[]): boolean {
    if (!this.#keyed) return this.#write([...entries, ...added]);
    // A key of its own for each: another tab's write, whose view of the store may lag behind this
    // one's by a few milliseconds, then cannot carry this one away.
    const done: string[] = [];
    const listed = this.#current();
    try {
      for (const { id, count, body } of added) {
        this.#store.setItem(this.#entryKey(id), JSON.stringify({ count, body }));
        done.push(id);
      }
      return true;
    } catch {
      this.#remove(done);
      return false;
    } finally {
      this.#track(listed, done, true);
    }
  }

  /**
   * Takes entries out of the store: a one-value store in one write, not one per entry (a replay
   * request joins hundreds of stored batches, and each write reads and writes the whole store).
   */
  #remove(ids: readonly string[]): void {
    if (!this.#keyed) {
      const rest = this.#read();
      const gone = new Set(ids);
      if (rest !== undefined) this.#write(rest.filter((entry) => !gone.has(entry.id)));
      return;
    }
    const listed = this.#current();
    for (const id of ids)
      try {
        this.#store.removeItem(this.#entryKey(id));
      } catch {
        // Kept: #sentIds keeps this page from sending it again.
      }
    this.#track(listed, ids, false);
  }

  /** The entry keys as listed (see `#listed`) while the store holds as many keys as this page left it with; else undefined, and forgotten. */
  #current(): Set<string> | undefined {
    if (this.#length !== this.#store.length) this.#listed = undefined;
    return this.#listed;
  }

  /** After this page's own writes of entries (`ids` added, else taken out): the list, current before them (`keys`), follows them. */
  #track(keys: Set<string> | undefined, ids: readonly string[], added: boolean): void {
    if (keys === undefined || keys !== this.#listed) return;
    for (const id of ids) keys[added ? 'add' : 'delete'](this.#entryKey(id));
    this.#length = this.#store.length as number;
  }

  #entryKey(id: string): string {
    return `${this.#key}#${id}`;
  }

  /** A keyed store's entries (see `OfflineStore.key`), oldest first; unreadable ones are taken out and counted dropped. */
  #readKeyed(): Entry[] {
    const store = this.#store as Required<OfflineStore>;
    const prefix = this.#entryKey('');
    let keys = this.#current();
    if (keys === undefined) {
      keys = this.#listed = new Set();
      for (let index = 0; index < (this.#length = store.length); index++) {
        const key = store.key(index);
        // Not another store's (a key or URL that goes on with '#…'): an id has no '#'.
        if (key?.startsWith(prefix) && !key.includes('#', prefix.length)) keys.add(key);
      }
    }
    const entries: Entry[] = [];
    const parsed = new Map<string, [string, Entry]>();
    let dropped = 0;
    let unreadable = false;
    for (const key of [...keys].sort()) {
      const text = store.getItem(key);
      if (text === null) continue;
      const known = this.#parsed.get(key);
      if (known?.[0] === text) {
        entries.push(known[1]);
        parsed.set(key, known);
        continue;
      }
      let entry: unknown;
      try {
        entry = { ...(JSON.parse(text) as object), id: key.slice(prefix.length) };
      } catch {
        // Unreadable: taken out below.
      }
      if (this.#sendable(entry)) {
        entries.push(entry);
        parsed.set(key, [text, entry]);
        continue;
      }
      // Counted once it is out; one the store cannot take out is left alone.
      try {
        store.removeItem(key);
        dropped += countOf(entry);
        unreadable = true;
      } catch {
        // Skipped, like what this page sent and could not take out.
      }
    }
    this.#parsed = parsed;
    if (unreadable) this.#dropUnsendable(dropped);
    return entries;
  }

  /** What the store holds; undefined when it cannot be read (then nothing is written over it). */
  #read(): Entry[] | undefined {
    if (this.#keyed) {
      try {
        return this.#readKeyed();
      } catch (error) {
        SelfLog.write('HttpSink: the offline store could not be read', error);
        return undefined;
      }
    }
    let text: string | null;
    try {
      text = this.#store.getItem(this.#key);
    } catch (error) {
      SelfLog.write('HttpSink: the offline store could not be read', error);
      return undefined;
    }
    if (text === null || text === '') return [];
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) {
        const entries = parsed.filter((value) => this.#sendable(value));
        // Entries it cannot send (another version's, a corrupted store, over maxBytes) go once and are counted,
        // instead of being left out at every read and then written away without a word.
        if (entries.length < parsed.length) this.#discard(parsed, entries);
        return entries;
      }
    } catch {
      // Falls through: unreadable contents are discarded below.
    }
    SelfLog.write('HttpSink: the offline store held something unreadable under {Key}; it is discarded', this.#key);
    this.#write([]);
    return [];
  }

  /** Takes the entries of `parsed` not in `entries` out of the store: their events (as far as their count says) count dropped, once they are out. */
  #discard(parsed: readonly unknown[], entries: readonly Entry[]): void {
    let events = 0;
    for (const value of parsed) if (!entries.includes(value as Entry)) events += countOf(value);
    if (this.#write(entries)) this.#dropUnsendable(events);
  }

  /**
   * Whether an entry can be sent: of this version's shape, and no larger than `maxBytes`. A larger
   * one (kept under a larger bound) would keep the store full, so every batch went on as without a
   * store, and be sent again after every success while the network failed it.
   */
  #sendable(value: unknown): value is Entry {
    return isEntry(value) && utf8Length(value.body) <= this.#maxBytes;
  }

  /** Counts the events of entries the store held but cannot send (as far as their counts say) as dropped, and says so. */
  #dropUnsendable(events: number): void {
    this.#droppedCount += events;
    SelfLog.write(
      'HttpSink: {Count} events dropped: the offline store held entries it cannot send (unreadable, or over offline.maxBytes)',
      events,
    );
  }

  #write(entries: readonly Entry[]): boolean {
    try {
      if (entries.length === 0) this.#store.removeItem(this.#key);
      else this.#store.setItem(this.#key, JSON.stringify(entries));
      return true;
    } catch {
      return false;
    }
  }
}

/** The events an unsendable entry says it holds: its `count` when that is a whole number, else 0. */
function countOf(entry: unknown): number {
  const count = (entry as Partial<Entry> | null | undefined)?.count;
  return Number.isSafeInteger(count) ? Math.max(0, count as number) : 0;
}

/**
 * Whether the browser blocks `localStorage` (reading it throws a SecurityError: sandboxed frames,
 * site data blocked) and no `store` is given. HttpSink then works as without the `offline` option,
 * and SelfLog says so: a page must not fail to start because of its users' privacy settings.
 */
export function storageBlocked(options: HttpOfflineOptions, where: string): boolean {
  try {
    void ((options as Partial<HttpOfflineOptions> | null)?.store ?? (globalThis as { localStorage?: unknown }).localStorage);
    return false;
  } catch (error) {
    SelfLog.write('{Where}: localStorage is blocked; nothing is kept offline', where, error);
    return true;
  }
}

/**
 * How long a tab keeps the replay lock after its replay sent something: the browser hands one
 * tab's localStorage writes to the others asynchronously, so a tab that replayed right after
 * could still see, and send again, a batch just sent. A mitigation, not a guarantee.
 */
const HANDOVER_MS = 250;

/**
 * Most replays a stored batch is answered with a redirect, 404 or 501 before it is dropped: on the
 * replay timer's backoff (5 s doubling to 10 minutes) about half an hour on an idle page, or 10
 * page loads, long enough for a sign-in or a deploy, never an endless resend.
 */
const MAX_PASSING_REFUSALS = 10;

/** The first wait before the replay is tried again after a failure without `Retry-After` (a network error, a 503 alone); doubled at each failure in a row. */
const BACKOFF_MS = 5_000;
/** The least wait after a `Retry-After` (`0` would be a tight loop). */
const RETRY_MIN_MS = 1_000;
/** The longest wait before the replay is tried again: a longer `Retry-After` is cut to it. */
const RETRY_MAX_MS = 600_000;

/**
 * Runs `task` holding the Web Lock `name` where the browser has them: tabs share a store, and each
 * sees the same `online` event, so without it every tab sent every stored batch. The tab that
 * waited finds the store emptied (delivery stays at least once: see `HANDOVER_MS`). Without Web
 * Locks, runs it after the page's other tasks of the same name (tabs then may send a batch twice);
 * where they are refused, at once.
 */
async function withLock(name: string, task: () => Promise<boolean>): Promise<void> {
  const locks = (globalThis as { navigator?: { locks?: { request?(name: string, task: () => Promise<void>): Promise<void> } } })
    .navigator?.locks;
  if (typeof locks?.request !== 'function') {
    // The sinks of this page with the same key (a logger built again without closing the old one) take turns.
    const turn = (turns.get(name) ?? Promise.resolve()).then(task);
    turns.set(name, turn);
    await turn;
    // The last turn of a key forgets it: a page whose sinks use ever new keys (a URL per tenant) must not keep one each.
    if (turns.get(name) === turn) turns.delete(name);
    return;
  }
  try {
    await locks.request(name, async () => {
      if (await task()) await new Promise((resolve) => setTimeout(resolve, HANDOVER_MS));
    });
  } catch {
    // Refused (an opaque origin): the replay itself never rejects.
    await task();
  }
}

/** This page's replays by store key, where there are no Web Locks: the last one to start, while it runs. */
const turns = new Map<string, Promise<boolean>>();

/** The time an entry's id begins with (see `save`), in milliseconds; -1 for none or another form of id. */
function idTime(entry: Entry | undefined): number {
  const time = entry === undefined ? NaN : parseInt(entry.id.slice(0, 9), 36);
  return Number.isSafeInteger(time) ? time : -1;
}

/**
 * The pieces a stored piece is sent again as, in order, when the server answered it with `error`
 * (undefined: it is over the bound of a stored piece, unsent): its halves when `error` says the
 * body was too large, or there is none, and the sink can cut it; else undefined. Asked of a joined
 * request's body too: halves say the server found it too large, and the sink learns the size (see `StoredJoin`).
 */
export type StoredHalves = (piece: OfflinePiece, error: unknown) => readonly OfflinePiece[] | undefined;

/**
 * Two stored bodies as the body of one request, or undefined where the sink cannot join them or
 * the joined body would be over the bound of a stored piece (60 KiB, or `maxRequestBytes` when less)
 * or over the size the sink learned from a body of several events answered 413, live or replayed
 * (below it, as a live batch is cut), so later replays of the page do not meet the 413 again.
 */
export type StoredJoin = (first: string, next: string) => string | undefined;

/** Makes the ids of the entries one page keeps in the same millisecond sort in the order it kept them. */
let sequence = 0;

type Listen = (type: string, listener: (event: { type: string }) => void) => void;

const PAGE_EVENTS = ['online', 'pagehide', 'pageshow', 'visibilitychange', 'storage'];

/** Whether the page's document is hidden (`document.visibilityState`); false where there is none. */
function documentHidden(): boolean {
  return (globalThis as { document?: { visibilityState?: unknown } }).document?.visibilityState === 'hidden';
}

const STORE_METHODS = ['getItem', 'setItem', 'removeItem'];

function isEntry(value: unknown): value is Entry {
  const entry = value as Partial<Record<keyof Entry, unknown>> | null;
  // A count that is not a whole number of events (a corrupted store, another app's JSON) would make the counters nonsense.
  return typeof entry?.id === 'string' && typeof entry.body === 'string' && countOf(entry) === entry.count;
}
