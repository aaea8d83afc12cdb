// Kraken's client order ids (`cl_ord_id`), as the guide "Spot Client Order
// Identifiers" (https://docs.kraken.com/api/docs/guides/spot-clordid) and the
// AddOrder page describe them: a UUID with or without dashes, or free text of
// at most 18 printable ASCII characters; unique among the account's open orders.

/** Canonical form for comparisons: a UUID loses its dashes and case; free text stays as it is. */
export function normClOrdId(s: string): string {
  return /^[0-9a-fA-F-]{32,36}$/.test(s) ? s.replace(/-/g, '').toLowerCase() : s;
}

export function validClOrdId(s: string): boolean {
  return (
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s) ||
    /^[0-9a-fA-F]{32}$/.test(s) ||
    (s.length > 0 && s.length <= 18 && /^[\x21-\x7e]+$/.test(s))
  );
}

export function sameClOrdId(a: string | null, b: string): boolean {
  return a !== null && normClOrdId(a) === normClOrdId(b);
}
