// The timer loop: every interval it asks the lifecycle for due moves (bid window opens, deadline
// passes), merges the held-back bid entries of cancelled sections, signs the log's scheduled
// checkpoint and, hourly, removes stored files that no row names. Any number of processes may run
// it at once; leases and guarded updates make each move happen exactly once. Correctness never
// depends on this process's timing.
import type { Logger } from './logger';
import type { Services } from './app';

export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private ticks = 0;

  constructor(
    private readonly services: Pick<Services, 'lifecycle' | 'sessions'> & Partial<Pick<Services, 'opening' | 'bids' | 'audit' | 'blobSweeper'>>,
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  /** One pass; overlapping passes in the same process are skipped, not queued. */
  async tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        const moved = await this.services.lifecycle.advanceDue();
        for (const m of moved) this.log.info(m, 'section moved by the scheduler');
        // After the deadline: freeze, then open (or fail) each closed section, exactly once.
        for (const o of (await this.services.opening?.openDue()) ?? []) {
          if (o.outcome === 'error') this.log.error(o, 'opening step failed for this section; the others went on, it is tried again at the next pass');
          else this.log.info(o, 'opening step');
        }
        // Cancelled sections' held-back entries: the promise allows an hour, so once a minute (at
        // the default interval) is plenty, and the pass asks after every section that has bids.
        if (this.ticks % 60 === 0) for (const m of (await this.services.bids?.mergeClosedSections()) ?? []) this.log.info(m, 'held-back bid entries merged into the log');
        await this.services.audit?.publishScheduled();
        if (++this.ticks % 600 === 0) await this.services.sessions.prune();
        // Files no row names (a bid refused after its file was stored): at most hourly, by the clock.
        const swept = await this.services.blobSweeper?.sweepIfDue();
        if (swept?.length) this.log.info({ removed: swept.length }, 'unreferenced stored files removed');
      } catch (err) {
        this.log.error({ err }, 'scheduler pass failed; it will run again at the next interval');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
