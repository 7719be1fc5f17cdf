/**
 * Binary min-heap of timed entries ordered by (at, seq). `seq` is unique and increasing, so the order is
 * total: two entries never compare equal, and ties in time leave in insertion order.
 */

export interface HeapEntry {
  /** When the entry is due, in virtual microseconds. */
  at: number;
  /** Insertion sequence number; breaks ties in `at`. */
  seq: number;
}

export class TimeHeap<T extends HeapEntry> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(entry: T): void {
    const items = this.items;
    let i = items.length;
    items.push(entry);
    // Sift up: move the hole towards the root while the parent is later than the entry.
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = items[parentIndex]!;
      if (parent.at < entry.at || (parent.at === entry.at && parent.seq < entry.seq)) break;
      items[i] = parent;
      i = parentIndex;
    }
    items[i] = entry;
  }

  pop(): T | undefined {
    const items = this.items;
    const n = items.length;
    if (n === 0) return undefined;
    const top = items[0]!;
    const last = items.pop()!;
    if (n > 1) this.siftDown(last, n - 1);
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }

  /** Keeps only the entries `keep` accepts and restores heap order (Floyd's bottom-up build, O(n)). */
  retain(keep: (entry: T) => boolean): void {
    const items = this.items;
    let n = 0;
    for (let i = 0; i < items.length; i++) if (keep(items[i]!)) items[n++] = items[i]!;
    items.length = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDownFrom(i, items[i]!, n);
  }

  private siftDown(entry: T, n: number): void {
    this.siftDownFrom(0, entry, n);
  }

  private siftDownFrom(start: number, entry: T, n: number): void {
    const items = this.items;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let c = items[child]!;
      const right = child + 1;
      if (right < n) {
        const r = items[right]!;
        if (r.at < c.at || (r.at === c.at && r.seq < c.seq)) {
          child = right;
          c = r;
        }
      }
      if (entry.at < c.at || (entry.at === c.at && entry.seq < c.seq)) break;
      items[i] = c;
      i = child;
    }
    items[i] = entry;
  }
}
