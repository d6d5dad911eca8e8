/**
 * Slots that a source holds for a while (echo calls, pending callbacks, TCP connections), with a
 * cap per source (see source-key.ts: IPv4 /32, IPv6 /64), a global cap, and a fair share: once half
 * the slots are taken, a source that already holds one gets no more, so a few sources can never
 * take what the others need. The table only holds sources with at least one slot, so it is bounded
 * by the global cap.
 */
export interface SourceQuotaOptions {
  maxTotal: number;
  maxPerSource: number;
}

export type QuotaRefusal = 'per-source' | 'fair-share' | 'full';

export class SourceQuota {
  private readonly held = new Map<string, number>();
  private total = 0;
  private readonly o: SourceQuotaOptions;

  constructor(o: SourceQuotaOptions) {
    this.o = o;
  }

  /** Takes a slot for `key`; returns why not when it cannot. */
  acquire(key: string): QuotaRefusal | null {
    const mine = this.held.get(key) ?? 0;
    if (this.total >= this.o.maxTotal) return 'full';
    if (mine >= this.o.maxPerSource) return 'per-source';
    if (mine >= 1 && this.total * 2 >= this.o.maxTotal) return 'fair-share';
    this.held.set(key, mine + 1);
    this.total++;
    return null;
  }

  release(key: string): void {
    const mine = this.held.get(key);
    if (mine === undefined) return;
    if (mine <= 1) this.held.delete(key);
    else this.held.set(key, mine - 1);
    this.total--;
  }

  heldBy(key: string): number {
    return this.held.get(key) ?? 0;
  }

  get size(): number {
    return this.total;
  }

  /** Sources holding at least one slot. */
  get sources(): number {
    return this.held.size;
  }
}
