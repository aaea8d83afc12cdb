// The worker thread of the bot's /suggest: runs suggestFromCandles on the
// request it was started with and posts the result (or the error) back, so
// the trading loop never waits on the backtests.
import { parentPort, workerData } from 'node:worker_threads';
import type { SuggestRequest } from '../../../ops/suggestion.js';
import { configureLogger, errorMessage } from '../../../util/log.js';
import { suggestFromCandles } from './suggest.js';

configureLogger({ level: 'ERROR', write: () => undefined });
suggestFromCandles(workerData as SuggestRequest).then(
  (result) => parentPort?.postMessage({ result }),
  (err: unknown) => parentPort?.postMessage({ error: errorMessage(err) }),
);
