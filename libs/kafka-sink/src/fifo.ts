/** A queue that takes from the front in O(taken) and can put a failed batch back in front. */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** Removes and returns up to `n` items from the front. */
  take(n: number): T[] {
    const end = Math.min(this.items.length, this.head + n);
    const out = this.items.slice(this.head, end);
    this.head = end;
    // Compact once the consumed prefix dominates, so memory follows the backlog.
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  /**
   * Removes and returns items from the front while `fits` accepts them (up to `max`): the first
   * item it refuses, and everything behind it, stay.
   */
  takeWhile(max: number, fits: (item: T) => boolean): T[] {
    let end = this.head;
    const limit = Math.min(this.items.length, this.head + max);
    while (end < limit && fits(this.items[end] as T)) end++;
    return this.take(end - this.head);
  }

  /** Puts items back in front, in their order (a batch that could not be sent). */
  unshiftAll(items: readonly T[]): void {
    if (items.length === 0) return;
    this.items = [...items, ...this.items.slice(this.head)];
    this.head = 0;
  }

  /** Drops `n` items from the front; returns them. */
  dropOldest(n: number): T[] {
    return this.take(n);
  }

  /** Keeps only the items `keep` selects, in order. */
  retain(keep: (item: T) => boolean): void {
    this.items = this.items.slice(this.head).filter(keep);
    this.head = 0;
  }

  toArray(): T[] {
    return this.items.slice(this.head);
  }
}
