// When the AI advisor is asked, and what is kept of its answer: due every
// AI interval or on /check, one call at a time, in the background (the loop
// never waits for the model), the answer recorded in the state and sent to
// Telegram for approval when it suggests a change.
import type { GridState } from '../../core/grid-strategy.js';
import { adviceDue, markAdviceAsked, recordAdvice } from '../../ops/advisor-record.js';
import { errorMessage, logger } from '../../util/log.js';
import type { AdvisorContext } from '../../ops/views.js';
import type { AiAdvisor, Recommendation } from './advisor.js';
import { clip, html } from '../telegram/html.js';

const log = logger('services');

export interface AdvisorScheduleDeps {
  advisor: AiAdvisor;
  state: () => GridState;
  now: () => number;
  context: () => AdvisorContext;
  /** Notice to the operator, in Telegram's HTML (every dynamic value escaped). */
  notify: (text: string) => void;
  /** Hands a recommendation to the approval flow; `asked`: the answer to /check (sent whatever the ai level). */
  recommend: (rec: Recommendation, asked: boolean) => Promise<void>;
}

export class AdvisorSchedule {
  /** The background AI call in flight, if any (tests await it). */
  inFlight: Promise<void> | null = null;

  constructor(private readonly deps: AdvisorScheduleDeps) {}

  /** Asks the advisor if it is due; returns at once. */
  maybeAsk(): void {
    const s = this.deps.state();
    const now = this.deps.now();
    const { due, forced } = adviceDue(s, now);
    if (!due || this.deps.advisor.busy || s.lastPrice <= 0) return;
    markAdviceAsked(s, now);
    if (!this.deps.advisor.enabled) {
      if (forced) this.deps.notify('AI advisor is not configured (set AI_API_KEY).');
      return;
    }
    this.inFlight = this.deps.advisor
      .run(this.deps.context())
      .then((rec) => {
        if (forced) this.answerCheck(rec);
        return rec ? this.record(rec, forced) : undefined;
      })
      .catch((err: unknown) => log.error(`AI advisor: ${errorMessage(err)}`))
      .finally(() => {
        this.inFlight = null;
      });
  }

  /**
   * The operator asked with /check: say what came of it even when nothing is
   * to approve (a "continue", an unreadable answer, an endpoint that is down).
   */
  private answerCheck(rec: Recommendation | null): void {
    if (!rec) {
      this.deps.notify(html`🤖 AI check: no usable answer (${clip(this.deps.advisor.lastFailure ?? 'unknown failure', 300)}). Trading continues unchanged.`);
    } else if (rec.action === 'continue') {
      const understood = rec.condition !== 'unknown';
      this.deps.notify(
        understood
          ? html`🤖 AI check: continue (market ${rec.condition.replace(/_/g, ' ')}). ${clip(rec.reason, 400)}`
          : '🤖 AI check: the answer was not understood, treated as continue. Trading continues unchanged.',
      );
    }
  }

  private async record(rec: Recommendation, asked: boolean): Promise<void> {
    recordAdvice(this.deps.state(), rec);
    await this.deps.recommend(rec, asked);
  }
}
