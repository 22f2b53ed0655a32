// Per-client Prometheus series for GET /metrics. They are filled from the registry when
// scraped (nothing to update on each beat), so a forgotten client's series simply vanish.
import { Counter, Gauge, register } from "prom-client";
import { type Client, type ClientEvent, STATES } from "./registry";

const perClient: Array<[name: string, help: string, value: (c: Client) => number | undefined]> = [
  [
    "heartbeat_client_up",
    "1 while the client is UP or LATE, 0 once LOST or LEFT.",
    (c) => (c.state === "UP" || c.state === "LATE" ? 1 : 0),
  ],
  [
    "heartbeat_client_last_seen_timestamp_seconds",
    "When the client's last heartbeat or report arrived, in Unix seconds.",
    (c) => c.lastSeen / 1000,
  ],
  ["heartbeat_client_missed_beats", "Heartbeats missed in a row right now.", (c) => c.missed],
  [
    "heartbeat_client_node_cpu_percent",
    "CPU busy on the client's node, percent of all cores (last report).",
    (c) => c.metrics?.node.cpuPercent,
  ],
  [
    "heartbeat_client_node_memory_used_bytes",
    "Memory used on the client's node (last report).",
    (c) => c.metrics?.node.memoryUsedBytes,
  ],
  [
    "heartbeat_client_container_cpu_percent",
    "CPU used by the client's container, percent of one core (last report).",
    (c) => c.metrics?.container.cpuPercent ?? undefined,
  ],
  [
    "heartbeat_client_container_memory_bytes",
    "Working set of the client's container (last report).",
    (c) => c.metrics?.container.memoryBytes ?? undefined,
  ],
];

const NAMES = [
  ...perClient.map(([name]) => name),
  "heartbeat_client_state",
  "heartbeat_clients",
  "heartbeat_client_events_total",
];

/**
 * Registers the series of the `clients` in the default Prometheus registry, replacing those
 * of an earlier heartbeat server in this process. Returns the event counter's `inc`.
 */
export function exportClientMetrics(clients: () => Iterable<Client>): (event: ClientEvent) => void {
  for (const name of NAMES) register.removeSingleMetric(name);

  for (const [name, help, value] of perClient) {
    new Gauge({
      name,
      help,
      labelNames: ["client_id"] as const,
      collect() {
        this.reset();
        for (const client of clients()) {
          const v = value(client);
          if (v !== undefined) this.set({ client_id: client.id }, v);
        }
      },
    });
  }
  new Gauge({
    name: "heartbeat_client_state",
    help: "1 for the client's current state (UP, LATE, LOST or LEFT), 0 for the others.",
    labelNames: ["client_id", "state"] as const,
    collect() {
      this.reset();
      for (const client of clients())
        for (const state of STATES)
          this.set({ client_id: client.id, state }, client.state === state ? 1 : 0);
    },
  });
  new Gauge({
    name: "heartbeat_clients",
    help: "Known clients by state.",
    labelNames: ["state"] as const,
    collect() {
      const counts = { UP: 0, LATE: 0, LOST: 0, LEFT: 0 };
      for (const client of clients()) counts[client.state] += 1;
      for (const state of STATES) this.set({ state }, counts[state]);
    },
  });
  const events = new Counter({
    name: "heartbeat_client_events_total",
    help: "Client transitions: registered, late, lost, reconnected, restarted, left, forgotten.",
    labelNames: ["event"] as const,
  });
  return (event) => events.inc({ event });
}
