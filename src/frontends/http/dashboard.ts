// The dashboard page (SPEC §3): one self-contained dark page, no CDN, no
// framework. The server sends it with a per-response CSP nonce on its one
// <style> and its one <script>. The script is TypeScript
// (dashboard/client/, checked against StatusView with the DOM types by
// tsconfig.dashboard.json) bundled at build time; it reads GET api/status
// every few seconds and renders it with DOM calls only (textContent, never
// innerHTML with data), so nothing the bot reports can inject markup, and no
// inline style attribute is needed (CSP-friendly).
import { escapeHtml } from '../../util/escape-html.js';
import { BODY } from './dashboard/body.js';
import { clientScript } from './dashboard/client-script.js';
import { CSS } from './dashboard/styles.js';

export interface DashboardOptions {
  /** Refresh period in milliseconds (default 5000). */
  refreshMs?: number;
  /** CSV exports offered as download links (served at api/export/<name>.csv). */
  exports?: string[];
}

const EXPORT_NAME = /^[A-Za-z0-9_-]{1,40}$/;

function footer(refreshMs: number, exports: string[]): string {
  const links = exports.map((e) => `<a href="api/export/${escapeHtml(e)}.csv" download>${escapeHtml(e)}.csv</a>`).join(' · ');
  return (
    `<footer>${links ? `<span>Download: ${links}</span>` : ''}` +
    '<span>API: <a href="api/status">status</a> · <a href="api/stats">stats</a> · <a href="api/periods">periods</a> · <a href="health">health</a> · <a href="metrics">metrics</a></span>' +
    `<span>Refreshes every ${Math.round(refreshMs / 100) / 10} s</span></footer>\n`
  );
}

/** The dashboard HTML with `nonce` on its one style and one script element. */
export function dashboardHtml(nonce: string, opts: DashboardOptions = {}): string {
  const n = escapeHtml(nonce);
  const refresh = Math.max(500, Math.round(opts.refreshMs ?? 5000));
  const exports = (opts.exports ?? []).filter((e) => EXPORT_NAME.test(e));
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="color-scheme" content="dark">\n' +
    '<meta name="referrer" content="no-referrer">\n<title>DOGE grid bot</title>\n<link rel="icon" href="data:,">\n' +
    `<style nonce="${n}">${CSS}</style>\n</head>\n<body data-refresh-ms="${refresh}">` +
    BODY +
    footer(refresh, exports) +
    '</div>\n' +
    `<script nonce="${n}">\n${clientScript()}</script>\n</body>\n</html>\n`
  );
}
