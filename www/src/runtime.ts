// The page's handle on the simulation worker: one promise per request, and a queue that runs a panel's
// requests one at a time.
import type { Envelope, Reply, Request } from './protocol';

/** A queue: each task starts when the one before has settled (failed or not); returns the task's promise. */
export function serialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return (task) => {
    const next = queue.then(task, task);
    queue = next.catch(() => undefined);
    return next;
  };
}

export class Runtime {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();

  constructor() {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (event: MessageEvent<Envelope<Reply>>) => {
      const resolve = this.pending.get(event.data.id);
      this.pending.delete(event.data.id);
      resolve?.(event.data.body);
    };
    this.worker.onerror = (event) => {
      const message = `worker: ${event.message || 'failed to start'}`;
      for (const resolve of this.pending.values()) resolve({ kind: 'error', message, field: 'worker', problem: message });
      this.pending.clear();
    };
  }

  /** Sends `request`; resolves with the worker's reply (an `error` reply rather than a rejection). */
  call(request: Request): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ id, body: request } satisfies Envelope<Request>);
    });
  }
}
