// The record of every PluginService call, with event-driven waiting so suites never poll.
import type { ArrivedCall, JournalEntry } from './types.js';

/** One-shot waits for the next value that satisfies a predicate; every wait ends by match, timeout or close. */
export class Waiters<T> {
  private readonly listeners = new Set<(value: T) => void>();
  private readonly enders = new Set<() => void>();

  /** Resolves with the first value emitted from now on that satisfies `predicate`, or undefined on timeout/close. */
  waitFor(predicate: (value: T) => boolean, timeoutMs: number): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      const cleanUp = () => {
        clearTimeout(timer);
        this.listeners.delete(onValue);
        this.enders.delete(end);
      };
      const end = () => { cleanUp(); resolve(undefined); };
      const onValue = (value: T) => {
        let matched: boolean;
        try {
          matched = predicate(value);
        } catch (error) {
          // A broken predicate is the caller's bug: surface it instead of waiting out the timeout.
          cleanUp();
          reject(error);
          return;
        }
        if (matched) { cleanUp(); resolve(value); }
      };
      const timer = setTimeout(end, Math.max(0, timeoutMs));
      this.listeners.add(onValue);
      this.enders.add(end);
    });
  }

  emit(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }

  /** Ends every pending wait with undefined: nothing more will come. */
  close(): void {
    for (const end of [...this.enders]) end();
  }
}

export class Journal {
  private readonly entries: JournalEntry[] = [];
  private readonly pending = new Set<ArrivedCall>();
  private readonly entryWaiters = new Waiters<JournalEntry>();
  private readonly arrivalWaiters = new Waiters<ArrivedCall>();

  /** Notes a call the moment it arrives; `record` later turns it into an entry. */
  arrive(call: ArrivedCall): void {
    this.pending.add(call);
    this.arrivalWaiters.emit(call);
  }

  /**
   * Appends an answered call. `seq` is given here, when the answer is recorded, not on arrival: a call that hangs
   * and is answered late then still comes after every `lastSeq()` a reader took before, so `journalSince` never
   * misses it. `time` keeps the arrival.
   */
  record(arrived: ArrivedCall, answer: Omit<JournalEntry, 'seq' | keyof ArrivedCall>): JournalEntry {
    this.pending.delete(arrived);
    const entry: JournalEntry = { seq: this.entries.length + 1, ...withoutUndefined({ ...arrived, ...answer }) } as JournalEntry;
    this.entries.push(entry);
    this.entryWaiters.emit(entry);
    return entry;
  }

  all(): readonly JournalEntry[] {
    return this.entries;
  }

  since(seq: number): JournalEntry[] {
    // seq n sits at index n-1, so this is a slice rather than a filter.
    return this.entries.slice(Math.max(0, seq));
  }

  lastSeq(): number {
    return this.entries.length;
  }

  inFlight(): ArrivedCall[] {
    return [...this.pending];
  }

  waitFor(predicate: (entry: JournalEntry) => boolean, timeoutMs: number): Promise<JournalEntry | undefined> {
    return this.entryWaiters.waitFor(predicate, timeoutMs);
  }

  waitForArrival(predicate: (call: ArrivedCall) => boolean, timeoutMs: number): Promise<ArrivedCall | undefined> {
    return this.arrivalWaiters.waitFor(predicate, timeoutMs);
  }

  close(): void {
    this.entryWaiters.close();
    this.arrivalWaiters.close();
  }
}

/** Entries omit absent optional fields rather than carrying `undefined`, so they print and serialise cleanly. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
