// Persistence of the bot's state in LOG_DIR. Every write is atomic (temp file,
// fsync, rename) and the previous good version is kept as `.bak`, so a crash
// at any instant leaves a loadable file. A file that cannot be parsed is moved
// aside (never overwritten) and the backup is tried before starting fresh.
import fs from 'node:fs';
import path from 'node:path';
import type { GridState } from '../core/grid-strategy.js';
import { errorMessage, logger } from '../util/log.js';
import { writeFileAtomic } from './atomic-write.js';
import { stateProblems } from './state-shape.js';
import type { PricePoint } from '../core/types.js';

const log = logger('state');

export interface SavedState {
  version: 1;
  savedAt: number;
  /** GridState without its price history (that is saved separately, less often). */
  state: GridState;
  /** Whatever the exchange needs to survive a restart (the paper account in dry run). */
  exchange: unknown;
}

export interface LoadResult {
  saved: SavedState | null;
  /** What happened, for the operator (each is also logged, once, by the store). */
  notes: string[];
  /** A state file existed but could not be read (it was kept aside). */
  unreadable: boolean;
}

/** Why `x` is not a usable saved state; null when it is. */
function savedStateProblem(x: unknown): string | null {
  if (typeof x !== 'object' || x === null) return 'not a JSON object';
  const s = x as Partial<SavedState>;
  if (s.version !== 1) return 'not a state file of this version';
  const problems = stateProblems(s.state);
  return problems.length === 0 ? null : `unusable state (${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''})`;
}

export class StateStore {
  readonly file: string;
  readonly pricesFile: string;

  constructor(readonly dir: string, private readonly now: () => number = Date.now) {
    this.file = path.join(dir, 'state.json');
    this.pricesFile = path.join(dir, 'prices.json');
  }

  save(state: GridState, exchange: unknown): void {
    const { priceHistory: _omit, ...rest } = state;
    const saved: SavedState = { version: 1, savedAt: this.now(), state: { ...rest, priceHistory: [] }, exchange };
    writeFileAtomic(this.file, JSON.stringify(saved));
  }

  savePrices(history: readonly PricePoint[]): void {
    writeFileAtomic(this.pricesFile, JSON.stringify(history));
  }

  private tryRead(file: string, notes: string[]): SavedState | null | 'missing' {
    if (!fs.existsSync(file)) return 'missing';
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      const problem = savedStateProblem(parsed);
      if (problem) throw new Error(problem);
      return parsed as SavedState;
    } catch (err) {
      const aside = `${file}.corrupt-${this.now()}`;
      fs.renameSync(file, aside);
      const note = `${path.basename(file)} could not be read (${errorMessage(err)}); kept aside as ${path.basename(aside)}`;
      log.error(note);
      notes.push(note);
      return null;
    }
  }

  load(): LoadResult {
    const notes: string[] = [];
    const main = this.tryRead(this.file, notes);
    let saved: SavedState | null = main === 'missing' ? null : main;
    if (!saved) {
      const bak = this.tryRead(`${this.file}.bak`, notes);
      if (bak && bak !== 'missing') {
        saved = bak;
        notes.push('restored the previous state from state.json.bak');
        log.warn('restored the previous state from state.json.bak');
      }
    }
    const unreadable = main === null;
    if (saved) {
      saved.state.priceHistory = this.loadPrices();
    } else if (main === 'missing' && notes.length === 0) {
      notes.push('no saved state: starting fresh');
      log.info('no saved state: starting fresh');
    }
    return { saved, notes, unreadable };
  }

  private loadPrices(): PricePoint[] {
    try {
      if (!fs.existsSync(this.pricesFile)) return [];
      const parsed: unknown = JSON.parse(fs.readFileSync(this.pricesFile, 'utf8'));
      if (!Array.isArray(parsed)) return [];
      return parsed.filter((p): p is PricePoint => typeof p === 'object' && p !== null && Number.isFinite(p.time) && Number.isFinite(p.price) && p.price > 0);
    } catch (err) {
      log.warn(`price history not loaded: ${errorMessage(err)}`);
      return [];
    }
  }
}
