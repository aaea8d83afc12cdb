// What the page remembers between refreshes. One object, shared by the
// modules (the bundle gives each module its own scope, so shared mutable
// state lives here rather than in exported variables).
import type { StatusView } from '../../../../ops/status-view.js';

export type ControlName = 'spacing' | 'ratio' | 'interval';

/** Body of POST api/config as the page sends it. */
export type ConfigBody = {
  spacing?: number;
  ratio?: number | 'auto';
  interval?: number;
  start_price?: number | 'off';
  take_profit?: number | 'off';
  stop_action?: string;
  profit_mode?: string;
  grid_mode?: string;
  spacing_mode?: string;
};

export interface PageState {
  /** Refresh period (ms), from the body's data-refresh-ms. */
  refreshMs: number;
  /** The last status the bot sent. */
  last: StatusView | null;
  lastOkAt: number;
  fetchedAt: number;
  /** When the bot stopped answering (0 while it answers). */
  failingSince: number;
  failReason: string;
  timer: number;
  inflight: boolean;
  /** Inputs the operator has typed into: refreshes leave them alone. */
  dirty: Record<ControlName, boolean>;
  /** The mode selects were changed by the operator: refreshes leave them alone. */
  modesDirty?: boolean;
  /** A change waiting for the dashboard token. */
  pendingBody: ConfigBody | null;
  /** The ladder prices last scrolled to. */
  ladderSig: string;
  /** Pointer position over the chart (CSS px from its left edge). */
  hoverX: number | null;
}

export const state: PageState = {
  refreshMs: 5000,
  last: null,
  lastOkAt: 0,
  fetchedAt: 0,
  failingSince: 0,
  failReason: '',
  timer: 0,
  inflight: false,
  dirty: { spacing: false, ratio: false, interval: false },
  pendingBody: null,
  ladderSig: '',
  hoverX: null,
};
