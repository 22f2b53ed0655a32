// Logs a dependency's outage once when it starts and once when it ends (not once per
// request), with how long it lasted: from the first failure to the first success, of a
// request or of the probe that runs while the outage lasts (so an idle server still logs the
// end when the dependency returns, not at the next request).
import type { Logger } from "./log";

export interface OutageOptions {
  down: string;
  up: string;
  /** Checks the dependency while it is down: resolves once it works again. */
  probe?: () => Promise<unknown>;
  probeEveryMs?: number;
}

export class Outage {
  private since: number | undefined;
  private timer: Timer | undefined;

  constructor(
    private readonly log: Logger,
    private readonly options: OutageOptions,
  ) {}

  get active() {
    return this.since !== undefined;
  }

  /** Records a failure; logs only the first one of an outage. */
  failed(error: unknown) {
    if (this.since !== undefined) return;
    this.since = Date.now();
    this.log.warn(this.options.down, { error });
    this.scheduleProbe();
  }

  /** Records a success; logs the end of an outage if there was one. */
  recovered() {
    if (this.since === undefined) return;
    const downSeconds = (Date.now() - this.since) / 1000;
    this.since = undefined;
    this.stop();
    this.log.info(this.options.up, { downSeconds });
  }

  /** Stops probing (the server is closing). */
  stop() {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private scheduleProbe() {
    const { probe, probeEveryMs = 1_000 } = this.options;
    if (!probe || this.timer) return;
    this.timer = setTimeout(async () => {
      this.timer = undefined;
      if (this.since === undefined) return;
      try {
        await probe();
        this.recovered();
      } catch {
        if (this.since !== undefined) this.scheduleProbe();
      }
    }, probeEveryMs);
    this.timer.unref();
  }
}
