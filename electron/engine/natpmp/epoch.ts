/**
 * Router reboot detection from the epoch ("seconds since start of epoch") of NAT-PMP
 * (RFC 6886 §3.6) and PCP (RFC 6887 §8.5) answers: between two answers the router's epoch must
 * grow by at least 7/8 of the client's elapsed time, minus 2 s of slack; otherwise the router lost
 * its state and every mapping must be renewed.
 */
export class EpochTracker {
  private last: { epoch: number; atMs: number } | null = null;

  /** Records an epoch seen at local monotonic time `nowMs`; returns true when it reveals a reset. */
  observe(epoch: number, nowMs: number): boolean {
    const prev = this.last;
    this.last = { epoch, atMs: nowMs };
    if (!prev) return false;
    const elapsedS = (nowMs - prev.atMs) / 1000;
    const expectedMin = prev.epoch + (elapsedS * 7) / 8 - 2;
    return epoch < expectedMin || epoch + 2 < prev.epoch;
  }
}
