// What the bot remembers of its AI advisor, kept in the state so a restart
// neither asks again at once nor forgets a pending approval: when it last
// asked, whether the operator asked for a check, the last advice and its
// status. The front ends change these only through the functions here.
import { touch, type GridState } from '../core/grid-strategy.js';

/** Whether the advisor should be asked now, and whether the operator asked for it (/check). */
export function adviceDue(state: GridState, now: number): { due: boolean; forced: boolean } {
  const forced = state.ai.checkRequested;
  return { due: forced || now - state.ai.lastRunAt >= state.settings.aiIntervalSec * 1000, forced };
}

/** The advisor is being asked now: the next scheduled call is one interval away. */
export function markAdviceAsked(state: GridState, now: number): void {
  state.ai.checkRequested = false;
  state.ai.lastRunAt = now;
  touch(state);
}

export function recordAdvice(state: GridState, rec: { time: number; condition: string; action: string; reason: string }): void {
  state.ai.last = { time: rec.time, condition: rec.condition, action: rec.action, reason: rec.reason, status: rec.action === 'continue' ? 'n/a' : 'pending' };
  touch(state);
}

/** The one approval waiting for the operator's button (null: none). */
export function setPendingApproval(state: GridState, pending: unknown): void {
  state.ai.pendingApproval = pending;
  touch(state);
}

/** The operator's decision on the last advice (approved, skipped, expired…). */
export function recordDecision(state: GridState, action: string, decision: string): void {
  const last = state.ai.last;
  if (last && last.action === action) {
    last.status = decision;
    touch(state);
  }
}
