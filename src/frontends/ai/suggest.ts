// /suggest and the dashboard's "Suggest settings" button: a small walk-forward
// backtest on the bot's own recent candles, run in a child process so the
// trading loop never waits for it and nothing that goes wrong in it (a crash,
// running out of memory, a hang) can stop the trading process. When a
// configuration beat the current one out of sample it is proposed through the
// approval flow (Approve / Skip, the numbers in the message); the evidence is
// kept for the AI advisor's prompt.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Candle } from '../../core/types.js';
import { sinceLastGap, SUGGEST_TEST_MS, SUGGEST_TRAIN_MS, suggestResultProblem, type SuggestRequest, type SuggestResult, type SuggestRunner } from '../../ops/suggestion.js';
import { errorMessage, logger } from '../../util/log.js';

const log = logger('suggest');

/** The suggestion process (tools/backtest/optimize/suggest-child.ts), loaded by path: the bot never imports the backtester. */
export const SUGGEST_CHILD = fileURLToPath(new URL('../../tools/backtest/optimize/suggest-child.js', import.meta.url));
/** A walk-forward on 14 days of 5-minute candles takes seconds; one still running after this is stuck and is killed. */
export const SUGGEST_TIMEOUT_MS = 10 * 60_000;
/**
 * The child's heap limits: old generation capped at 256 MB, and
 * the backtest's small young generation (BACKTEST_NODE_FLAGS, not imported:
 * the bot never imports the backtester).
 */
const CHILD_NODE_FLAGS = ['--max-old-space-size=256', '--max-semi-space-size=2'];

export interface ChildOptions {
  /** The script to run, and its arguments (tests give one that crashes, hangs or answers nonsense). */
  entry?: string;
  args?: string[];
  timeoutMs?: number;
  /** Told the child's pid once it is started (tests check it is gone after a failure). */
  onSpawn?: (pid: number | undefined) => void;
}

/**
 * Runs the walk-forward in a child process: sends it the request, answers
 * with its result. A process, not a worker thread: a worker shares the
 * trading process, and tearing one down right after heavy work can abort the
 * whole process (a V8 compile job racing the isolate's disposal: seen once
 * here on Node 20, the CI's, as "NodePlatform::ForIsolate … Assertion
 * failed"; not known to be fixed in the Docker image's Node 22). The child
 * gets no environment variables (no API keys or tokens), only the request;
 * its answer is checked (suggestResultProblem) before anything uses it.
 */
export const runSuggestInChild = (req: SuggestRequest, opts: ChildOptions = {}): Promise<SuggestResult> =>
  new Promise<SuggestResult>((resolve, reject) => {
    const child = fork(opts.entry ?? SUGGEST_CHILD, opts.args ?? [], { serialization: 'advanced', execArgv: CHILD_NODE_FLAGS, env: {}, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    opts.onSpawn?.(child.pid);
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    let settled = false;
    /** Settles once; a child that is still running after anything but its answer is killed (it would wait forever). */
    const settle = (answer: SuggestResult | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (answer instanceof Error) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        reject(answer);
      } else resolve(answer);
    };
    const timeoutMs = opts.timeoutMs ?? SUGGEST_TIMEOUT_MS;
    const timer = setTimeout(() => settle(new Error(`the suggestion took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`)), timeoutMs);
    timer.unref();
    child.once('message', (m: unknown) => {
      settle(answerOf(m));
      if (child.connected) child.disconnect();
    });
    child.on('error', (err) => settle(err));
    // 'close', not 'exit': by then stderr has been read to the end.
    child.once('close', (code, signal) => {
      const why = tellingLine(stderr);
      settle(new Error(`the suggestion process ended without a result (${signal ?? `exit code ${code}`})${why ? `: ${why}` : ''}`));
    });
    try {
      child.send(req, (err) => err && settle(err));
    } catch (err) {
      // A request that cannot be sent (not serialisable): the child would wait for it until the time limit.
      settle(err instanceof Error ? err : new Error(String(err)));
    }
  });

/** The child's message: its result when it is a well-formed one, else the error it reports or a description of what came. */
function answerOf(m: unknown): SuggestResult | Error {
  if (typeof m === 'object' && m !== null && typeof (m as { error?: unknown }).error === 'string') return new Error((m as { error: string }).error);
  const result = typeof m === 'object' && m !== null ? (m as { result?: unknown }).result : undefined;
  const problem = suggestResultProblem(result);
  return problem === null ? (result as SuggestResult) : new Error(`unexpected answer from the suggestion process (${problem})`);
}

/** The line of a dead process's stderr that says what happened (an error, an assertion, running out of memory), else its first. */
function tellingLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  return (lines.find((l) => /error|assert|fatal|out of memory/i.test(l)) ?? lines[0] ?? '').trim().slice(0, 300);
}

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
    const runner = d.runner ?? ((r: SuggestRequest) => runSuggestInChild(r));
    // What the walk-forward will use: the candles after the newest gap in the history.
    const used = sinceLastGap(req.candles);
    const days = used.length > 0 ? (used[used.length - 1]!.time - used[0]!.time) / 86_400_000 : 0;
    let pending: Promise<SuggestResult>;
    try {
      pending = runner(req);
    } catch (err) {
      pending = Promise.reject(err);
    }
    // Nothing here may reject unhandled: the trading process treats that as fatal.
    this.inFlight = this.finish(pending)
      .catch((err: unknown) => log.error(`handing on the suggestion failed: ${errorMessage(err)}`))
      .finally(() => {
        this.inFlight = null;
      });
    return { started: true, message: `Running a walk-forward backtest on the last ${days.toFixed(1)} days of candles (${used.length}) in the background; the result follows.` };
  }

  private async finish(pending: Promise<SuggestResult>): Promise<void> {
    let result: SuggestResult;
    try {
      result = await pending;
      // Any runner's answer is checked, not only the child's: a malformed one is a failed suggestion.
      const problem = suggestResultProblem(result);
      if (problem !== null) throw new Error(`unexpected answer from the suggestion run (${problem})`);
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
