// An Exchange that hands every call to another one (a paper account): test
// doubles extend it and override only the calls they distort.
import type { Exchange, OrderReport, PlacedOrder, PlaceOrderRequest } from '../../src/exchange/exchange.js';
import type { PaperExchange } from '../../src/exchange/paper-exchange.js';

export class PassthroughExchange implements Exchange {
  readonly kind = 'paper' as const;
  constructor(readonly inner: PaperExchange) {}
  placeOrder(req: PlaceOrderRequest): Promise<PlacedOrder> {
    return this.inner.placeOrder(req);
  }
  cancelOrder(id: string): Promise<void> {
    return this.inner.cancelOrder(id);
  }
  cancelAllOurs() {
    return this.inner.cancelAllOurs();
  }
  queryOrders(ids: string[]): Promise<OrderReport[]> {
    return this.inner.queryOrders(ids);
  }
  listOpenOrders(): Promise<OrderReport[]> {
    return this.inner.listOpenOrders();
  }
  getBalances() {
    return this.inner.getBalances();
  }
  findOrderByClientId(id: string) {
    return this.inner.findOrderByClientId(id);
  }
  getTicker() {
    return this.inner.getTicker();
  }
  getOhlc(i: number, s?: number) {
    return this.inner.getOhlc(i, s);
  }
  getPairInfo() {
    return this.inner.getPairInfo();
  }
}
