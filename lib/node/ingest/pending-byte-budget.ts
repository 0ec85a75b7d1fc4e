import type { ByteBudget } from './read-request-body';

/** The part of `maxPendingBytes` one client may hold: a quarter, so three quarters stay for the others. */
export const CLIENT_SHARE_DIVISOR = 4;

/**
 * The body bytes held across every request being read (at most `maxPendingBytes`), and by each
 * client (at most its share: a quarter of `maxPendingBytes`, at least `maxBodyBytes` so one
 * largest body always fits). A client is the rate limit's key. Memory is bounded without a limit
 * on keys: a client is forgotten when it holds nothing, and each one remembered holds a byte at least.
 */
export class PendingByteBudget {
  private readonly byClient = new Map<string, number>();
  private total = 0;
  /** The most bytes one client may hold. */
  readonly clientShare: number;

  constructor(
    private readonly maxPendingBytes: number,
    maxBodyBytes: number,
  ) {
    this.clientShare = Math.max(maxBodyBytes, Math.floor(maxPendingBytes / CLIENT_SHARE_DIVISOR));
  }

  /** Bytes held now by every request being read. */
  get pendingBytes(): number {
    return this.total;
  }

  /** The budget of one request of the client `key`. */
  forClient(key: string): ByteBudget {
    return {
      take: (bytes) => {
        const held = this.byClient.get(key) ?? 0;
        // The client's share first: when it is the one holding most of the total, it is told so (429), not every client (503).
        if (held + bytes > this.clientShare) return 'client-share';
        if (this.total + bytes > this.maxPendingBytes) return 'busy';
        this.byClient.set(key, held + bytes);
        this.total += bytes;
        return 'taken';
      },
      give: (bytes) => {
        if (bytes <= 0) return;
        this.total -= bytes;
        const left = (this.byClient.get(key) ?? 0) - bytes;
        if (left > 0) this.byClient.set(key, left);
        else this.byClient.delete(key);
      },
    };
  }
}
