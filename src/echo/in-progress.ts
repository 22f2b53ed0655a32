// How many waits, streams and WebSockets the testing endpoints hold open right now, by route:
// what a thousand abandoned /delay/60 would leave behind if disconnects did not free them.
import { registerGauge } from "../lib/metrics";

const open: Record<string, number> = {};

registerGauge(
  "echo_requests_in_progress",
  "Requests the echo server's testing endpoints hold open (delays, chunked streams, WebSockets), by route.",
  "route",
  () => open,
);

/** Counts one open request on `route` until the returned function is called (once). */
export function holdOpen(route: string) {
  open[route] = (open[route] ?? 0) + 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    open[route] = (open[route] ?? 1) - 1;
  };
}
