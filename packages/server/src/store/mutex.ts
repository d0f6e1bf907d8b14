/** A FIFO async mutex: `run(fn)` waits for every earlier holder to finish, then runs `fn`. */
export interface Mutex {
  run<T>(fn: () => Promise<T> | T): Promise<T>;
  /** Resolves when every holder queued so far has finished. */
  idle(): Promise<void>;
}

export function createMutex(): Mutex {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(fn: () => Promise<T> | T): Promise<T> {
      const result = tail.then(() => fn());
      tail = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
    idle() {
      return tail.then(() => undefined);
    },
  };
}
