// A WebSocket at /ws/echo (podinfo's name) that sends every message back as it came, text or
// binary, to test that an ingress or a mesh carries WebSockets. Messages are bounded by the
// server kit's websocket limit (over it Bun closes with 1009); when the process stops, each
// socket is closed with 1001 so none keeps the pod past its grace period.
//
// Upgraded here rather than with Elysia's .ws(): that one parses a text message before the
// handler sees it ("42" becomes 42, '"hi"' becomes hi), so it could not echo the bytes sent.
// Elysia's Bun adapter dispatches each socket's events to the handlers in its data.
import type { ServerWebSocket } from "bun";
import { Elysia } from "elysia";
import { HttpError } from "../lib/errors";
import { stopping } from "../lib/lifecycle";
import { holdOpen } from "./in-progress";

const GOING_AWAY = 1001;

type Socket = ServerWebSocket<unknown>;

export function wsEcho(stop: AbortSignal = stopping) {
  const open = new Map<Socket, () => void>();
  stop.addEventListener("abort", () => {
    for (const socket of open.keys()) socket.close(GOING_AWAY, "the server is stopping");
  });
  const handlers = {
    open(socket: Socket) {
      if (stop.aborted) return socket.close(GOING_AWAY, "the server is stopping");
      open.set(socket, holdOpen("/ws/echo"));
    },
    message(socket: Socket, message: string | Buffer) {
      socket.send(message);
    },
    close(socket: Socket) {
      open.get(socket)?.();
      open.delete(socket);
    },
  };
  return new Elysia().get("/ws/echo", ({ request, server, set }) => {
    if (server?.upgrade(request, { data: handlers })) return;
    set.headers.upgrade = "websocket"; // what a 426 must name
    throw new HttpError(426, "GET /ws/echo is a WebSocket: ask for Upgrade: websocket");
  });
}
