// The wire format between heartbeat clients and the server: one schema per report, used by
// the server to validate (400/422 on bad input) and by the client and the bench to send.
import { Type } from "@sinclair/typebox";
import { type Static, t } from "elysia";

// Ids become Prometheus label values and dashboard text: keep them to what Kubernetes
// names (pods, nodes) and hostnames use. The one rule for a client id (the client's
// CLIENT_ID and its cleaning of pod and host names follow it).
export const CLIENT_ID = {
  /** One id: a letter or digit, then letters, digits and . _ : - */
  pattern: "[A-Za-z0-9][A-Za-z0-9._:-]*",
  notAllowed: /[^A-Za-z0-9._:-]/g,
  maxLength: 253,
} as const;
const id = (description: string) =>
  t.String({
    minLength: 1,
    maxLength: CLIENT_ID.maxLength,
    pattern: `^${CLIENT_ID.pattern}$`,
    description,
  });

/** Rounds to 2 decimals, for the seconds and percentages reports and views show. */
export const round2 = (value: number) => Math.round(value * 100) / 100;
const nonNegative = (description: string) => t.Number({ minimum: 0, description });
const orNull = (description: string) => t.Union([nonNegative(description), t.Null()]);

/**
 * The heartbeat interval a client may use, in seconds (client HEARTBEAT_INTERVAL, server
 * HEARTBEAT_INTERVAL, the announced `intervalSeconds`, the chart's `interval`). Below 0.1 s
 * the quarter-interval tolerance (25 ms) is inside an ordinary GC pause or network hiccup, so
 * healthy clients would be declared LOST, and one client would cost 10+ requests a second.
 * Above an hour, LOST would take over 3 hours to notice: that is no longer a heartbeat.
 */
export const INTERVAL_BOUNDS = { minimum: 0.1, maximum: 3600 } as const;

export const Heartbeat = t.Object({
  clientId: id("who is beating: CLIENT_ID, else the pod, node or host name"),
  bootId: t.String({ minLength: 1, maxLength: 64, description: "new on every client start" }),
  // TypeBox's integer, not Elysia's t.Integer: that one is a union with a numeric-string
  // branch, so -1 was refused as "should be one of: 'integer', 'integer'", without the bound.
  seq: Type.Integer({ minimum: 0, description: "counts up from 1 within one boot" }),
  sentAt: nonNegative("client clock at sending, epoch milliseconds"),
  intervalSeconds: t.Optional(
    t.Number({
      ...INTERVAL_BOUNDS,
      description: "the client's beat interval; the server judges lateness by it",
    }),
  ),
  node: t.Optional(t.String({ maxLength: 253, description: "the node the client runs on" })),
});
export type Heartbeat = Static<typeof Heartbeat>;

export const MetricsReport = t.Object({
  clientId: Heartbeat.properties.clientId,
  bootId: Heartbeat.properties.bootId,
  sentAt: Heartbeat.properties.sentAt,
  node: t.Object({
    cpuPercent: t.Number({ minimum: 0, maximum: 100, description: "busy share of all cores" }),
    memoryUsedBytes: nonNegative("total minus available memory"),
    memoryTotalBytes: nonNegative("physical memory"),
  }),
  container: t.Object({
    cgroup: t.Union([t.Literal("v2"), t.Literal("v1"), t.Literal("none")]),
    cpuPercent: orNull("CPU used since the last report, percent of one core"),
    memoryBytes: orNull("working set: usage minus inactive file cache"),
    memoryLimitBytes: orNull("memory limit, null when unlimited"),
  }),
});
export type MetricsReport = Static<typeof MetricsReport>;

/** Sent once on SIGTERM: the client stops on purpose (scale down, uninstall, rollout). */
export const Goodbye = t.Object({
  clientId: Heartbeat.properties.clientId,
  bootId: Heartbeat.properties.bootId,
  sentAt: Heartbeat.properties.sentAt,
});
export type Goodbye = Static<typeof Goodbye>;

/** The server's answer to a goodbye: "ignored" if it came from a boot the server no longer knows. */
export interface GoodbyeAck {
  clientId: string;
  state: "UP" | "LATE" | "LOST" | "LEFT" | null;
  event: "left" | "ignored";
}

/** The server's answer to a heartbeat. */
export interface HeartbeatAck {
  clientId: string;
  seq: number;
  state: "UP";
  /** What this beat meant to the server. */
  event: "registered" | "beat" | "reconnected" | "restarted";
}
