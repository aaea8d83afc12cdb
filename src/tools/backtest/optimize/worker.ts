// An optimizer worker thread: reads the shared candles once, says it is
// ready (the engine is loaded), then evaluates one job per message and
// answers with its score (see pool.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { configureLogger, errorMessage } from '../../../util/log.js';
import { evaluate, type Job } from './evaluate.js';
import { seriesOfInit, type WorkerInit } from './pool.js';

const init = workerData as WorkerInit;
const series = seriesOfInit(init);
// The Trader's log lines are not wanted here (the report carries stops and pauses).
configureLogger({ level: 'ERROR', write: () => undefined });

parentPort?.on('message', (m: { slot: number; job: Job }) => {
  evaluate(series, init.base, m.job).then(
    (score) => parentPort?.postMessage({ slot: m.slot, score }),
    (err: unknown) => parentPort?.postMessage({ slot: m.slot, error: errorMessage(err) }),
  );
});
parentPort?.postMessage({ ready: true });
