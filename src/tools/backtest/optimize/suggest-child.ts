// The child process of the bot's /suggest (frontends/ai/suggest.ts): takes
// one request over IPC, runs suggestFromCandles, sends the result (or the
// error) back and ends. It also ends when the bot goes away (the channel
// closes), so a shutdown never leaves it running.
import type { SuggestRequest } from '../../../ops/suggestion.js';
import { configureLogger, errorMessage } from '../../../util/log.js';
import { suggestFromCandles } from './suggest.js';

configureLogger({ level: 'ERROR', write: () => undefined });

function reply(message: object): void {
  if (process.connected) process.send?.(message, () => process.disconnect());
}

process.once('message', (req: SuggestRequest) => {
  suggestFromCandles(req).then(
    (result) => reply({ result }),
    (err: unknown) => reply({ error: errorMessage(err) }),
  );
});
process.once('disconnect', () => process.exit(0));
