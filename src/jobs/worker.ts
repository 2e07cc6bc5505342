import { hostname } from 'node:os';
import type { Services } from '../services';

export interface TickReport {
  /** Changes put on hold, and released, by urgent freezes (lockdown). */
  held: number;
  released: number;
  /** Open changes reassessed because history left its window (at most once an hour). */
  reassessed: number;
  reminded: number;
  breached: number;
  /** Changes whose audience was told their start is near (notifications.yaml, `upcoming`). */
  upcoming: number;
  escalated: number;
  /** Digests claimed and queued (at 07:00 in each person's zone; digest.service.ts). */
  digests: number;
  /** Catalogue reviews opened because their entries fell due, and entries suspended for a review overdue past its grace. */
  reviewsOpened: number;
  reviewsSuspended: number;
  /** Post-implementation reviews that fell overdue, their people told once (review.service.ts). */
  reviewsOverdue: number;
  /** Pending deployment gate checks whose decision changed (an approval, a window, a freeze, the deadline; gate.service.ts). */
  gateDecisions: number;
  /** GitHub runs and GitLab deployments rejected for waiting on the gate past their deadline (docs/integrations.md). */
  forgeRequestsExpired: number;
  /** Meetings made for boards whose meetings recur (at most once a minute; meeting.service.ts). */
  meetingsMade: number;
  delivered: number;
  failed: number;
  /** Outbox items that failed their last attempt in this tick and became dead letters. */
  dead: number;
}

export interface WorkerOptions {
  /** Distinguishes this worker's outbox claims from other workers'; defaults to host, pid and a random part. */
  id?: string;
  /** Pause between ticks of the loop, in milliseconds. */
  intervalMs: number;
  /** Reports an error of a tick (the loop carries on). */
  onError?: (err: unknown) => void;
  /** Reports a tick that did something. */
  onTick?: (report: TickReport) => void;
}

export interface Worker {
  readonly id: string;
  /**
   * One pass: lockdown holds of urgent freezes, SLA timers (reminders, breaches, escalations), the hourly risk
   * history sweep, then outbox delivery (notices, and the follow-up writes leave for other changes, such as
   * their reassessment and the notices to their owners).
   */
  tick(): Promise<TickReport>;
  /** Runs ticks every `intervalMs` until `stop`. */
  start(): void;
  /** Stops the loop and waits for the tick in progress, if any. */
  stop(): Promise<void>;
}

/**
 * The background worker. It holds no state of its own: every step claims its row in the database, so it
 * runs inline in `cabinet serve`, as `cabinet worker`, or as several of those at once.
 */
export function createWorker(services: Pick<Services, 'sla' | 'outbox' | 'schedule' | 'risk' | 'subscriptions' | 'digests' | 'catalogueReviews' | 'reviews' | 'gate' | 'github' | 'gitlab' | 'meetings'>, opts: WorkerOptions): Worker {
  const id = opts.id ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  // The risk service's follow-up (other changes' reassessment) is delivered through the outbox like a notice.
  for (const [topic, handler] of Object.entries(services.risk.followUps)) if (!services.outbox.handles(topic)) services.outbox.handle(topic, handler);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = true;

  async function tick(): Promise<TickReport> {
    const lockdown = await services.schedule.tick();
    const timers = await services.sla.tick();
    const aging = await services.risk.tick();
    const notices = await services.subscriptions.tick();
    const digests = await services.digests.tick();
    const reviews = await services.catalogueReviews.tick();
    const pirs = await services.reviews.tick();
    const gateDecisions = await services.gate.reevaluateOpen();
    const forgeRequestsExpired = (await services.github.expireOverdue()) + (await services.gitlab.expireOverdue());
    const meetingsMade = await services.meetings.makeRecurring();
    // Delivery runs after the timers, so a reminder or an escalation reaches the inbox in the same pass.
    const delivery = await services.outbox.deliverDue(id);
    return { ...lockdown, ...timers, ...aging, ...notices, ...digests, ...reviews, ...pirs, gateDecisions, forgeRequestsExpired, meetingsMade, delivered: delivery.delivered, failed: delivery.failed, dead: delivery.dead };
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .then((report) => {
          if (report.held + report.released + report.reassessed + report.upcoming + report.reminded + report.breached + report.escalated + report.digests + report.reviewsOpened + report.reviewsSuspended + report.reviewsOverdue + report.gateDecisions + report.forgeRequestsExpired + report.meetingsMade + report.delivered + report.failed > 0) opts.onTick?.(report);
        })
        .catch((err: unknown) => opts.onError?.(err))
        .finally(() => {
          running = null;
          schedule();
        });
    }, opts.intervalMs);
    // NOTE: the timer alone does not keep the process alive; the server or the CLI loop does.
    timer.unref();
  }

  return {
    id,
    tick,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (running) await running;
    },
  };
}
