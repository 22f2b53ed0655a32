// POST /readyz/disable and POST /readyz/enable (podinfo's names): take this replica out of a
// Service's endpoints and put it back without stopping it. /readyz answers 503 while it is
// off; /healthz stays 200, so the kubelet does not restart it.
import { Elysia } from "elysia";
import type { ReadinessCheck } from "../lib/http-server";

export function readinessSwitch() {
  let off = false;
  const check: ReadinessCheck = () =>
    off ? "off: POST /readyz/disable turned it off, POST /readyz/enable turns it on" : null;
  const routes = new Elysia()
    .post("/readyz/disable", ({ set }) => {
      off = true;
      set.status = 202;
      return { readyz: "disabled" };
    })
    .post("/readyz/enable", ({ set }) => {
      off = false;
      set.status = 202;
      return { readyz: "enabled" };
    });
  return { check, routes };
}
