// Every Kraken REST endpoint the simulator serves, keyed by URL path. A path
// not in this table answers EGeneral:Unknown method (so CancelAll, which the
// bot must never call, fails loudly).
import { accountEndpoints } from './account.js';
import { endpointTable, type EndpointTable } from './endpoint.js';
import { marketDataEndpoints } from './market-data.js';
import { tradingEndpoints } from './trading.js';

export function krakenEndpoints(): EndpointTable {
  return endpointTable(marketDataEndpoints, tradingEndpoints, accountEndpoints);
}
