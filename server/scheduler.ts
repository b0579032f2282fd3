// Admission control: at most `maxConcurrent` generations run at once; the rest wait in one FIFO queue
// (first come, first served across all clients and both APIs). A waiter whose client cancels or
// disconnects leaves the queue at once, and a finished or cancelled generation frees its slot at once.

import { ApiError, RpcCode } from "./errors.js";

export interface SchedulerOptions {
  readonly maxConcurrent: number;
  /** Waiters beyond this are refused with "queue full" rather than held in memory without bound. */
  readonly maxQueued: number;
  /** Called whenever the running or waiting count changes (metrics). */
  readonly onChange?: (running: number, waiting: number) => void;
}

interface Waiter {
  grant: (release: () => void) => void;
  fail: (e: unknown) => void;
}

export class Scheduler {
  private running = 0;
  private readonly queue: Waiter[] = [];

  constructor(private readonly opts: SchedulerOptions) {}

  get runningCount(): number { return this.running; }
  get waitingCount(): number { return this.queue.length; }

  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.running < this.opts.maxConcurrent && this.queue.length === 0) {
      this.running++;
      this.changed();
      return Promise.resolve(this.releaser());
    }
    if (this.queue.length >= this.opts.maxQueued) {
      return Promise.reject(
        new ApiError(RpcCode.QueueFull, `the server's queue is full (${this.opts.maxQueued} requests waiting); retry later or raise --max-queue`, null, "queue_full"),
      );
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) {
          this.queue.splice(i, 1);
          this.changed();
        }
        reject(abortReason(signal!));
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
        },
        fail: reject,
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(waiter);
      this.changed();
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.pump();
    };
  }

  private pump(): void {
    while (this.running < this.opts.maxConcurrent && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.running++;
      next.grant(this.releaser());
    }
    this.changed();
  }

  /** Refuses every waiter (shutdown). */
  rejectAll(e: unknown): void {
    for (const w of this.queue.splice(0)) w.fail(e);
    this.changed();
  }

  private changed(): void {
    this.opts.onChange?.(this.running, this.queue.length);
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error("aborted");
}
