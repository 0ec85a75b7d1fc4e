import type { OfflineStore } from '../../lib/sinks/http/http-offline-queue';

/**
 * localStorage's three methods over a Map, for the offline store's specs: `quota` (in characters
 * of one value) makes a longer write throw, and `refuse` makes every write throw, as a full quota
 * or Safari's private mode does.
 */
export class FakeStorage implements OfflineStore {
  readonly items = new Map<string, string>();
  quota = Infinity;
  refuse = false;
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.refuse || value.length > this.quota) throw new Error('QuotaExceededError');
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}
