// Kraken failures → `ExchangeError` kinds. Classifies Kraken's error strings,
// HTTP statuses and malformed answers, and says which failures are worth a
// retry, a wait (EService:Throttled), or nothing more (temporary lockout).
// Messages carry Kraken's error strings, never a key, secret or signature.
import { ExchangeError, type ExchangeErrorKind } from '../exchange.js';
import type { HttpResponse } from '../../util/http-client.js';
import { logger, redact } from '../../util/log.js';
import type { KrakenEnvelope } from './api-types.js';

const log = logger('kraken');

/** Kraken error strings (SPEC §5 and the docs) → ExchangeError kinds. */
export function krakenErrorKind(error: string): ExchangeErrorKind {
  const e = error.replace(/\s+/g, '');
  if (e.startsWith('EAPI:Invalidnonce')) return 'invalid_nonce';
  if (e.startsWith('EAPI:Ratelimitexceeded') || e.startsWith('EOrder:Ratelimitexceeded') || e.startsWith('EGeneral:Temporarylockout')) return 'rate_limit';
  if (e.startsWith('EAPI:Invalidkey') || e.startsWith('EAPI:Invalidsignature') || e.startsWith('EGeneral:Permissiondenied') || e.startsWith('EAPI:Badrequest') || e.startsWith('EAPI:Featuredisabled')) return 'auth';
  if (e.startsWith('EOrder:Insufficientfunds') || e.startsWith('EOrder:Insufficientmargin')) return 'insufficient_funds';
  if (e.startsWith('EOrder:Postonlyorder')) return 'post_only';
  if (e.startsWith('EOrder:Orderslimitexceeded') || e.startsWith('EOrder:Positionslimitexceeded')) return 'orders_limit';
  if (e.startsWith('EOrder:Unknownorder') || e.startsWith('EOrder:Invalidorder')) return 'unknown_order';
  if (e.startsWith('EService:') || e.startsWith('EGeneral:Internalerror') || e.startsWith('EDatabase:Internalerror')) return 'retryable';
  if (
    e.startsWith('EGeneral:Invalidarguments') ||
    e.startsWith('EOrder:Invalidprice') ||
    e.startsWith('EOrder:Orderminimumnotmet') ||
    e.startsWith('EOrder:Costminimumnotmet') ||
    e.startsWith('EOrder:Ticksizecheckfailed') ||
    e.startsWith('EQuery:Unknownassetpair') ||
    e.startsWith('EQuery:Invalidassetpair') ||
    e.startsWith('EGeneral:Unknownmethod')
  )
    return 'invalid_arguments';
  return 'other';
}

/** Unix seconds from `EService:Throttled:<ts>`, or null. */
export function throttledUntil(errors: string[]): number | null {
  for (const e of errors) {
    const m = /^EService:\s*Throttled:\s*(\d+(?:\.\d+)?)/.exec(e);
    if (m) return Number(m[1]);
  }
  return null;
}

/** A Kraken-level failure; carries the raw Kraken error strings (never secrets). */
export class KrakenApiError extends ExchangeError {
  constructor(
    kind: ExchangeErrorKind,
    message: string,
    readonly endpoint: string,
    readonly krakenErrors: string[] = [],
    readonly httpStatus: number | null = null,
  ) {
    super(kind, redact(message));
    this.name = 'KrakenApiError';
  }
}

/** A temporary lockout: it lasts minutes and more calls prolong it, so nothing retries it. */
export function isLockout(err: unknown): boolean {
  return err instanceof KrakenApiError && err.krakenErrors.some((e) => e.replace(/\s+/g, '').startsWith('EGeneral:Temporarylockout'));
}

/** For a write, did the request perhaps execute? (timeout, reset, 5xx, EService, unreadable answer) */
export function isAmbiguous(err: unknown): boolean {
  return err instanceof ExchangeError && (err.kind === 'network' || err.kind === 'retryable');
}

/**
 * The `result` of a Kraken answer, or the classified failure: Kraken's own
 * error strings first, then the HTTP status, then a malformed or empty body.
 */
export function krakenResult<T>(method: string, res: HttpResponse): T {
  let env: KrakenEnvelope<T> | undefined;
  try {
    env = JSON.parse(res.body) as KrakenEnvelope<T>;
  } catch {
    env = undefined;
  }
  const all = env && Array.isArray(env.error) ? env.error.map((e) => String(e)) : [];
  // Kraken docs ("Spot REST API", response format): `error` may hold warnings (`W…`)
  // beside a valid `result`: a success. Only the other entries (`E…`) are failures.
  const warnings = all.filter((e) => e.startsWith('W'));
  const errors = all.filter((e) => !e.startsWith('W'));
  if (warnings.length > 0 && errors.length === 0) log.warn(`Kraken ${method} answered with warnings`, { warnings: warnings.join(', ') });
  if (errors.length > 0) {
    const kind = errors.map(krakenErrorKind).find((k) => k !== 'other') ?? 'other';
    throw new KrakenApiError(kind, `Kraken ${method}: ${errors.join(', ')}`, method, errors, res.status);
  }
  if (res.status >= 500) throw new KrakenApiError('retryable', `Kraken ${method}: HTTP ${res.status}`, method, [], res.status);
  if (res.status === 429) throw new KrakenApiError('rate_limit', `Kraken ${method}: HTTP 429`, method, [], res.status);
  if (res.status === 401 || res.status === 403) throw new KrakenApiError('auth', `Kraken ${method}: HTTP ${res.status}`, method, [], res.status);
  if (!env || typeof env !== 'object') throw new KrakenApiError('retryable', `Kraken ${method}: malformed response (HTTP ${res.status})`, method, [], res.status);
  if (res.status >= 400) throw new KrakenApiError('other', `Kraken ${method}: HTTP ${res.status}`, method, [], res.status);
  if (env.result === undefined || env.result === null) throw new KrakenApiError('retryable', `Kraken ${method}: response without result`, method, [], res.status);
  return env.result;
}
