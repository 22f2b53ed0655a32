// Logs a dependency's outage once when it starts and once when it ends (not once per
// request), with how long it lasted.
import type { Logger } from "./log";

export class Outage {
  private since: number | undefined;

  constructor(
    private readonly log: Logger,
    private readonly messages: { down: string; up: string },
  ) {}

  get active() {
    return this.since !== undefined;
  }

  /** Records a failure; logs only the first one of an outage. */
  failed(error: unknown) {
    if (this.since !== undefined) return;
    this.since = Date.now();
    this.log.warn(this.messages.down, { error });
  }

  /** Records a success; logs the end of an outage if there was one. */
  recovered() {
    if (this.since === undefined) return;
    const downSeconds = (Date.now() - this.since) / 1000;
    this.since = undefined;
    this.log.info(this.messages.up, { downSeconds });
  }
}
