import type { LeaseClock, LeaseTimer } from "../../../../task/src/lease/s3-lease.ts";

/** A clock the test moves by hand; timers fire, in order, when their time is passed. */
export class FakeClock implements LeaseClock {
  private timers: { at: number; id: number; callback: () => void }[] = [];
  private nextId = 1;

  constructor(private time = Date.parse("2026-01-20T03:00:00Z")) {}

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): LeaseTimer {
    const id = this.nextId++;
    this.timers.push({ at: this.time + Math.max(0, ms), id, callback });
    return id;
  }

  clearTimeout(timer: LeaseTimer): void {
    this.timers = this.timers.filter((t) => t.id !== timer);
  }

  /** Timers still pending. */
  get pending(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order and letting the promises they start
   * settle (real I/O included) before the next one fires.
   */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.callback();
      await settleIo();
    }
    this.time = until;
  }
}

/** Lets pending promise chains run, including ones waiting on sockets, for a moment. */
export async function settleIo(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}
