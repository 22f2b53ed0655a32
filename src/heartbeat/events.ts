// GET /events: the dashboard's server-sent event stream. A new subscriber gets a "snapshot"
// (every client with its history); then once a second an "update" with the clients that
// changed and those forgotten. Batching keeps 10,000 beating clients from becoming 3,000
// messages a second, and the steady tick keeps idle proxies from closing the stream.
import { clientView, type Registry } from "./registry";

const encoder = new TextEncoder();
// A subscriber this many updates behind (a stalled tab) is dropped; it reconnects by itself.
const MAX_QUEUED = 60;

export interface EventStreamOptions {
  flushMs?: number;
  /** Closes every stream (so a graceful stop is not held up by open dashboards). */
  signal: AbortSignal;
}

export function createEventStream(
  registry: Registry,
  { flushMs = 1000, signal }: EventStreamOptions,
) {
  const changed = new Set<string>();
  const subscribers = new Set<ReadableStreamDefaultController<Uint8Array>>();

  const timer = setInterval(() => {
    if (subscribers.size === 0) return changed.clear();
    const now = registry.now();
    const clients = [];
    const removed = [];
    for (const id of changed) {
      const client = registry.clients.get(id);
      if (client) clients.push(clientView(client, now));
      else removed.push(id);
    }
    changed.clear();
    broadcast(message("update", { now, clients, removed }));
  }, flushMs);
  timer.unref();

  function broadcast(bytes: Uint8Array) {
    for (const controller of subscribers) {
      if ((controller.desiredSize ?? 0) < -MAX_QUEUED) drop(controller);
      else controller.enqueue(bytes);
    }
  }

  function drop(controller: ReadableStreamDefaultController<Uint8Array>) {
    if (!subscribers.delete(controller)) return;
    try {
      controller.close();
    } catch {
      // Already closed by the other side.
    }
  }

  signal.addEventListener("abort", () => {
    clearInterval(timer);
    for (const controller of subscribers) drop(controller);
  });

  return {
    /** Notes a changed (or forgotten) client for the next update. */
    changed(clientId: string) {
      if (subscribers.size > 0) changed.add(clientId);
    },
    /** A new SSE response that starts with the snapshot. */
    subscribe(request: Request): Response {
      let own: ReadableStreamDefaultController<Uint8Array> | undefined;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          own = controller;
          const now = registry.now();
          const clients = [...registry.clients.values()]
            .sort((a, b) => a.id.localeCompare(b.id))
            .map((client) => clientView(client, now, true));
          controller.enqueue(encoder.encode("retry: 2000\n\n"));
          controller.enqueue(message("snapshot", { now, clients }));
          if (signal.aborted) controller.close();
          else subscribers.add(controller);
        },
        cancel() {
          if (own) subscribers.delete(own);
        },
      });
      request.signal.addEventListener("abort", () => own && drop(own));
      return new Response(body, {
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-store",
          "x-accel-buffering": "no",
        },
      });
    },
    get subscribers() {
      return subscribers.size;
    },
  };
}

function message(event: string, data: unknown) {
  return encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
