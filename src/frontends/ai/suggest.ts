// /suggest and the dashboard's "Suggest settings" button: a small walk-forward
// backtest on the bot's own recent candles, run in a worker thread so the
// trading loop never waits for it. When a configuration beat the current one
// out of sample it is proposed through the approval flow (Approve / Skip, the
// numbers in the message); the evidence is kept for the AI advisor's prompt.
import { Worker } from 'node:worker_threads';
import type { Candle } from '../../core/types.js';
import { SUGGEST_TEST_MS, SUGGEST_TRAIN_MS, type SuggestRequest, type SuggestResult, type SuggestRunner } from '../../ops/suggestion.js';
import { errorMessage, logger } from '../../util/log.js';

const log = logger('suggest');

/** The suggestion worker (tools/backtest/optimize/suggest-worker.ts), loaded by URL: the bot never imports the backtester. */
export const runSuggestInWorker: SuggestRunner = (req) =>
  new Promise<SuggestResult>((resolve, reject) => {
    const w = new Worker(new URL('../../tools/backtest/optimize/suggest-worker.js', import.meta.url), { workerData: req, resourceLimits: { maxOldGenerationSizeMb: 256 } });
    let settled = false;
    w.once('message', (m: { result?: SuggestResult; error?: string }) => {
      settled = true;
      if (m.result) resolve(m.result);
      else reject(new Error(m.error ?? 'no result'));
      void w.terminate();
    });
    w.once('error', (err) => {
      if (!settled) reject(err);
      settled = true;
    });
    w.once('exit', (code) => {
      if (!settled) reject(new Error(`suggestion worker exited with code ${code}`));
      settled = true;
    });
  });

export interface SuggesterDeps {
  /** The bot's recent candles, oldest first. */
  candles: () => Candle[];
  /** Everything else the request needs, read when /suggest is sent. */
  request: () => Omit<SuggestRequest, 'candles' | 'trainMs' | 'testMs'>;
  runner?: SuggestRunner;
  /** Hands a better configuration to the approval flow. */
  propose: (result: SuggestResult) => Promise<void>;
  /** Tells the operator the outcome when nothing is proposed (plain text). */
  notify: (text: string) => void;
  now: () => number;
  trainMs?: number;
  testMs?: number;
}

export class Suggester {
  /** The walk-forward in flight, if any (tests await it). */
  inFlight: Promise<void> | null = null;
  /** The last finished suggestion and when it finished. */
  last: { result: SuggestResult; at: number } | null = null;

  constructor(private readonly deps: SuggesterDeps) {}

  /** Starts a walk-forward in the background and answers at once (never waits for it). */
  start(): { started: boolean; message: string } {
    if (this.inFlight) return { started: false, message: 'A suggestion is already being computed; its result will follow.' };
    const d = this.deps;
    const req: SuggestRequest = { ...d.request(), candles: d.candles(), trainMs: d.trainMs ?? SUGGEST_TRAIN_MS, testMs: d.testMs ?? SUGGEST_TEST_MS };
    const runner = d.runner ?? runSuggestInWorker;
    const days = req.candles.length > 0 ? (req.candles[req.candles.length - 1]!.time - req.candles[0]!.time) / 86_400_000 : 0;
    this.inFlight = this.finish(runner(req)).finally(() => {
      this.inFlight = null;
    });
    return { started: true, message: `Running a walk-forward backtest on the last ${days.toFixed(1)} days of candles (${req.candles.length}) in the background; the result follows.` };
  }

  private async finish(pending: Promise<SuggestResult>): Promise<void> {
    let result: SuggestResult;
    try {
      result = await pending;
    } catch (err) {
      log.error(`suggestion failed: ${errorMessage(err)}`);
      this.deps.notify(`Suggestion failed: ${errorMessage(err)}`);
      return;
    }
    this.last = { result, at: this.deps.now() };
    if (result.verdict === 'better' && result.proposal) await this.deps.propose(result);
    else this.deps.notify(result.evidence.join('\n'));
  }

  /** For the AI advisor's prompt: the last walk-forward's evidence, if any. */
  evidenceLines(): string[] {
    if (!this.last) return [];
    const age = Math.round((this.deps.now() - this.last.at) / 60_000);
    return [`Backtest evidence (/suggest walk-forward on the bot's own candles, ${age} min ago):`, ...this.last.result.evidence.map((l) => `  ${l}`)];
  }
}
