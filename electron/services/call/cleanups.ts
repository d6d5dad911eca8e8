/** What a call must close when it ends, run in order, each best effort. */
export class Cleanups {
  private readonly list: (() => Promise<void> | void)[] = [];

  /** Runs after everything added so far. */
  push(...fns: (() => Promise<void> | void)[]): void {
    this.list.push(...fns);
  }

  /** Runs before everything added so far (an upper layer closes before the one it sits on). */
  first(fn: () => Promise<void> | void): void {
    this.list.unshift(fn);
  }

  async run(): Promise<void> {
    for (const c of this.list.splice(0)) {
      try {
        await c();
      } catch {
        // closing is best effort
      }
    }
  }
}
