// The dashboard page (SPEC §3): one self-contained dark page, no CDN, no
// framework. The server sends it with a per-response CSP nonce; the page
// reads GET api/status every few seconds and renders it with DOM calls only
// (textContent, never innerHTML with data), so nothing the bot reports can
// inject markup, and no inline style attribute is needed (CSP-friendly).

export interface DashboardOptions {
  /** Refresh period in milliseconds (default 5000). */
  refreshMs?: number;
  /** CSV exports offered as download links (served at api/export/<name>.csv). */
  exports?: string[];
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const CSS = String.raw`
:root{--bg:#0b0f14;--panel:#121821;--panel2:#17202b;--line:#243040;--text:#e6edf3;--muted:#8b98a9;--green:#3fb950;--green-bg:rgba(63,185,80,.12);--red:#f85149;--red-bg:rgba(248,81,73,.12);--gold:#e3b341;--gold-bg:rgba(227,179,65,.14);--blue:#58a6ff;--radius:12px;color-scheme:dark}
*{box-sizing:border-box}
html,body{margin:0;background:var(--bg);color:var(--text);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-text-size-adjust:100%}
.num,td.n,.value{font-variant-numeric:tabular-nums}
.wrap{max-width:1320px;margin:0 auto;padding:16px 20px 32px}
header.top{display:flex;align-items:center;justify-content:space-between;gap:12px;flex-wrap:wrap;margin-bottom:14px}
.brand{display:flex;align-items:center;gap:12px}
.logo{width:40px;height:40px;border-radius:50%;display:grid;place-items:center;background:radial-gradient(circle at 35% 30%,#f5d76e,#c2a633 60%,#8a7421);color:#3b2f05;font-weight:800;font-size:22px;flex:none}
h1{font-size:18px;margin:0;letter-spacing:.2px}
.sub{color:var(--muted);font-size:12.5px}
.badges{display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.badge{display:inline-block;padding:4px 10px;border-radius:999px;font-weight:700;font-size:12px;letter-spacing:.6px;border:1px solid currentColor}
.badge.dry{color:var(--gold);background:var(--gold-bg)}
.badge.live{color:var(--green);background:var(--green-bg)}
.badge.paused{color:var(--red);background:var(--red-bg)}
.conn{color:var(--muted);font-size:12px}
.conn::before{content:"";display:inline-block;width:8px;height:8px;border-radius:50%;background:var(--green);margin-right:6px;vertical-align:1px}
.conn.bad::before{background:var(--red)}
.conn.wait::before{background:var(--muted)}
.banner{border-radius:var(--radius);padding:10px 14px;margin-bottom:12px;border:1px solid var(--line);background:var(--panel);border-left:4px solid var(--muted)}
.banner.bad{border-color:var(--red);background:var(--red-bg);color:#ffd7d5;font-weight:600}
.banner.warn{border-color:var(--gold);background:var(--gold-bg);color:#fbe7b0}
.banner.health{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.banner.health b{letter-spacing:.5px}
[hidden]{display:none!important}
.cards{display:grid;grid-template-columns:repeat(6,minmax(0,1fr));gap:12px;margin-bottom:14px}
.card{background:var(--panel);border:1px solid var(--line);border-radius:var(--radius);padding:12px 14px;min-width:0}
.label{color:var(--muted);font-size:11.5px;text-transform:uppercase;letter-spacing:.8px}
.value{font-size:22px;font-weight:700;margin-top:2px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.foot{color:var(--muted);font-size:12px;margin-top:2px}
.pos{color:var(--green)}.neg{color:var(--red)}.muted{color:var(--muted)}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 360px;gap:14px;align-items:start}
.col{display:grid;gap:14px;min-width:0}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:var(--radius);padding:14px;min-width:0}
.panel h2{font-size:13px;text-transform:uppercase;letter-spacing:.9px;color:var(--muted);margin:0 0 10px;font-weight:700;display:flex;justify-content:space-between;gap:8px;flex-wrap:wrap}
.panel h2 .muted{text-transform:none;letter-spacing:0;font-weight:500}
.chart-wrap{position:relative;height:300px}
canvas#chart{width:100%;height:100%;display:block;cursor:crosshair}
.tip{position:absolute;pointer-events:none;background:rgba(18,24,33,.95);border:1px solid var(--line);border-radius:8px;padding:5px 8px;font-size:12px;white-space:nowrap}
.legend{display:flex;gap:14px;flex-wrap:wrap;color:var(--muted);font-size:12px;margin-top:8px}
.sw{display:inline-block;width:14px;height:3px;border-radius:2px;vertical-align:middle;margin-right:5px}
.sw.price{background:var(--gold)}.sw.buy{background:var(--green)}.sw.sell{background:var(--red)}.sw.center{background:#9aa7b8}
table{width:100%;border-collapse:collapse}
th{color:var(--muted);font-weight:600;font-size:11.5px;text-transform:uppercase;letter-spacing:.6px;text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);position:sticky;top:0;background:var(--panel)}
td{padding:5px 8px;border-bottom:1px solid rgba(36,48,64,.55);white-space:nowrap}
td.n,th.n{text-align:right}
.scroll{max-height:460px;overflow:auto;border-radius:8px}
#ladder-scroll{max-height:600px}
.hscroll{overflow-x:auto}
tr.buy td:first-child{box-shadow:inset 3px 0 var(--green)}
tr.sell td:first-child{box-shadow:inset 3px 0 var(--red)}
tr.buy .side{color:var(--green)}tr.sell .side{color:var(--red)}
tr.buy td.px{color:#8ee59b}tr.sell td.px{color:#ff9b95}
tr.marker td{background:var(--gold-bg);color:var(--gold);font-weight:700;border-top:1px solid var(--gold);border-bottom:1px solid var(--gold)}
tr.filled td{opacity:.55}
.pill{display:inline-block;padding:1px 8px;border-radius:999px;font-size:11.5px;font-weight:700;letter-spacing:.4px;border:1px solid currentColor}
.pill.buy{color:var(--green);background:var(--green-bg)}.pill.sell{color:var(--red);background:var(--red-bg)}
.trend-bar{position:relative;height:14px;border-radius:999px;overflow:hidden;display:flex;background:var(--panel2)}
.seg.buy{background:linear-gradient(90deg,#2ea043,#3fb950)}.seg.sell{background:linear-gradient(90deg,#f85149,#da3633)}
.trend-marker{position:absolute;top:-3px;bottom:-3px;width:3px;background:#fff;border-radius:2px;box-shadow:0 0 0 2px rgba(0,0,0,.45)}
.trend-legend{display:flex;justify-content:space-between;font-size:12.5px;margin-top:6px}
.kv{display:grid;grid-template-columns:1fr auto;gap:4px 12px;font-size:13px;margin-top:10px}
.kv dt{color:var(--muted)}.kv dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
form.ctl{margin-bottom:12px}
form.ctl label{display:block;font-size:12.5px;color:var(--muted);margin-bottom:4px}
.row{display:flex;gap:6px}
input{flex:1;min-width:0;background:var(--bg);color:var(--text);border:1px solid var(--line);border-radius:8px;padding:8px 10px;font:inherit;font-variant-numeric:tabular-nums}
input:focus{outline:2px solid var(--blue);outline-offset:-1px}
button{background:#1f6feb;color:#fff;border:0;border-radius:8px;padding:8px 14px;font:inherit;font-weight:600;cursor:pointer;white-space:nowrap}
button.ghost{background:var(--panel2);color:var(--text);border:1px solid var(--line)}
button:disabled,input:disabled{opacity:.45;cursor:not-allowed}
.hint{color:var(--muted);font-size:12px;margin-top:4px}
.msg{border-radius:8px;padding:8px 10px;font-size:13px;margin-top:4px}
.msg.ok{background:var(--green-bg);color:#aff5b4}.msg.err{background:var(--red-bg);color:#ffc1bd}.msg.pending{background:var(--panel2);color:var(--muted)}
.note{font-size:12.5px;color:var(--muted);margin-bottom:10px}
.note.ro{color:#fbe7b0;background:var(--gold-bg);border-radius:8px;padding:8px 10px}
.analyzers{display:grid;grid-template-columns:repeat(5,minmax(0,1fr));gap:12px}
.analyzer{background:var(--panel2);border:1px solid var(--line);border-left:4px solid var(--muted);border-radius:10px;padding:10px 12px;min-width:0}
.a-head{display:flex;justify-content:space-between;align-items:center;gap:4px 6px;margin-bottom:6px;flex-wrap:wrap}
.pill{white-space:nowrap}
.a-name{font-weight:700;font-size:13px}
.conf{display:flex;align-items:center;gap:8px;font-size:11.5px;color:var(--muted);margin-bottom:6px}
.conf-bar{flex:1;height:5px;background:var(--bg);border-radius:3px;overflow:hidden}
.conf-bar span{display:block;height:100%;background:var(--blue)}
.a-summary{font-size:12.5px;margin:0 0 6px;overflow-wrap:anywhere}
details summary{cursor:pointer;color:var(--muted);font-size:12px}
details dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;font-size:12px;margin:6px 0 0}
details dt{color:var(--muted)}details dd{margin:0;text-align:right;overflow-wrap:anywhere}
.ai-reason{font-size:13px;margin:6px 0 0;overflow-wrap:anywhere}
footer{color:var(--muted);font-size:12px;margin-top:16px;display:flex;gap:14px;flex-wrap:wrap}
a{color:var(--blue)}
body.stale .cards,body.stale .layout{opacity:.55;filter:grayscale(.4)}
@media (max-width:1150px){.cards{grid-template-columns:repeat(3,minmax(0,1fr))}.analyzers{grid-template-columns:repeat(3,minmax(0,1fr))}}
@media (max-width:900px){.layout{grid-template-columns:minmax(0,1fr)}.analyzers{grid-template-columns:repeat(2,minmax(0,1fr))}}
@media (max-width:560px){.wrap{padding:10px 10px 24px}.cards{grid-template-columns:repeat(2,minmax(0,1fr));gap:8px}.value{font-size:18px}.analyzers{grid-template-columns:minmax(0,1fr)}.chart-wrap{height:220px}td,th{padding:5px 6px}.hide-s{display:none}.panel{padding:12px}}
`;

const SCRIPT = String.raw`
'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var REFRESH = Math.max(500, Number(document.body.getAttribute('data-refresh-ms')) || 5000);
  var last = null, lastOkAt = 0, fetchedAt = 0, failingSince = 0, failReason = '', timer = 0, inflight = false;
  var dirty = { spacing: false, ratio: false, interval: false };
  var pendingBody = null, ladderSig = '', hoverX = null;

  // ---------- formatting ----------
  function isNum(x) { return typeof x === 'number' && isFinite(x); }
  function fixed(x, d) { return isNum(x) ? x.toFixed(d) : '–'; }
  function fmtPrice(p) { if (!isNum(p)) return '–'; var a = Math.abs(p); return p.toFixed(a >= 100 ? 2 : a >= 1 ? 4 : 5); }
  function fmtUsd(x, signed) {
    if (!isNum(x)) return '–';
    var a = Math.abs(x), s = (a >= 100 ? a.toFixed(2) : a >= 1 ? a.toFixed(2) : a.toFixed(4));
    var sign = x < 0 ? '−' : (signed && x > 0 ? '+' : '');
    return sign + '$' + s;
  }
  function fmtPct(x, d, signed) { if (!isNum(x)) return '–'; return (x < 0 ? '−' : signed && x > 0 ? '+' : '') + Math.abs(x).toFixed(d == null ? 2 : d) + '%'; }
  function fmtQty(x, d) { if (!isNum(x)) return '–'; return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }); }
  function fmtDuration(sec) {
    if (!isNum(sec) || sec < 0) return '–';
    sec = Math.floor(sec);
    var d = Math.floor(sec / 86400), h = Math.floor(sec % 86400 / 3600), m = Math.floor(sec % 3600 / 60), s = sec % 60;
    if (d) return d + 'd ' + h + 'h ' + m + 'm';
    if (h) return h + 'h ' + m + 'm';
    if (m) return m + 'm ' + s + 's';
    return s + 's';
  }
  function ago(ms) { return ms < 0 ? 'just now' : fmtDuration(ms / 1000) + ' ago'; }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function fmtTime(t) {
    var d = new Date(t); if (isNaN(d.getTime())) return '–';
    var now = new Date(), hm = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
    if (d.toDateString() === now.toDateString()) return hm;
    return d.toLocaleDateString('en-US', { month: 'short', day: 'numeric' }) + ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes());
  }
  function signClass(x) { return !isNum(x) || x === 0 ? '' : x > 0 ? 'pos' : 'neg'; }
  var COLORS = { green: '#3fb950', red: '#f85149', yellow: '#e3b341', amber: '#e3b341', orange: '#f0883e', blue: '#58a6ff', gray: '#8b98a9', grey: '#8b98a9', purple: '#bc8cff' };
  function colorOf(c) {
    if (typeof c !== 'string') return COLORS.gray;
    var k = c.trim().toLowerCase();
    if (COLORS[k]) return COLORS[k];
    return /^#[0-9a-f]{3,8}$/.test(k) ? k : COLORS.gray;
  }

  // ---------- DOM helpers (text only, never HTML) ----------
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = String(text);
    return e;
  }
  function setText(id, text, cls) {
    var e = $(id); if (!e) return;
    e.textContent = text;
    if (cls !== undefined) { e.classList.remove('pos', 'neg'); if (cls) e.classList.add(cls); }
  }
  function td(text, cls) { return el('td', cls, text); }

  // ---------- render ----------
  function renderHeader(s) {
    var mb = $('mode-badge');
    mb.textContent = s.mode === 'live' ? 'LIVE' : 'DRY RUN';
    mb.className = 'badge ' + (s.mode === 'live' ? 'live' : 'dry');
    $('paused-badge').hidden = !s.paused;
    setText('pair', s.pair || '');
    var pb = $('pause-banner');
    pb.hidden = !s.paused;
    pb.textContent = s.paused ? 'Trading is paused' + (s.pause_reason ? ': ' + s.pause_reason : '') + '. Open buy orders are cancelled while paused.' : '';
    document.title = (isNum(s.price && s.price.current) ? fmtPrice(s.price.current) + ' · ' : '') + 'DOGE grid bot' + (s.mode === 'live' ? '' : ' (dry run)');
  }

  function renderCards(s) {
    var p = s.price || {}, pr = s.profit || {};
    setText('price', fmtPrice(p.current));
    var ch = [];
    if (isNum(p.change_1h)) ch.push('1h ' + fmtPct(p.change_1h, 2, true));
    if (isNum(p.change_24h)) ch.push('24h ' + fmtPct(p.change_24h, 2, true));
    setText('price-change', ch.join(' · ') || 'USD');
    setText('center', fmtPrice(p.center));
    setText('drift', 'drift ' + fmtPct(p.drift_pct, 2, true) + ' · reset ±' + fixed(s.config && s.config.drift_reset_pct, 0) + '%');
    setText('pnl-today', fmtUsd(pr.today, true), signClass(pr.today));
    setText('pnl-today-foot', (isNum(pr.round_trips_today) ? pr.round_trips_today : 0) + ' round trips today');
    setText('pnl-total', fmtUsd(pr.total, true), signClass(pr.total));
    setText('pnl-total-foot', (s.ledger && isNum(s.ledger.equity) ? 'equity ' + fmtUsd(s.ledger.equity) + ' · ' : '') + 'fees ' + fmtUsd(pr.fees));
    setText('round-trips', isNum(pr.round_trips) ? String(pr.round_trips) : '–');
    setText('round-trips-foot', isNum(pr.round_trips_today) ? pr.round_trips_today + ' today' : '');
    setText('doge-acc', fmtQty(pr.doge_accumulated, 2));
    setText('doge-acc-foot', isNum(pr.doge_accumulated) && isNum(p.current) ? '≈ ' + fmtUsd(pr.doge_accumulated * p.current) : 'DOGE');
  }

  function renderLadder(s) {
    var body = $('ladder').tBodies[0], grid = Array.isArray(s.grid) ? s.grid : [], cur = s.price && s.price.current;
    var rows = [], markerDone = !isNum(cur), buys = 0, sells = 0;
    function marker() {
      var tr = el('tr', 'marker'); tr.id = 'ladder-marker'; tr.setAttribute('data-testid', 'price-marker');
      var c = el('td', null, '▶ ' + fmtPrice(cur) + '  current price'); c.colSpan = 7; tr.appendChild(c);
      return tr;
    }
    for (var i = 0; i < grid.length; i++) {
      var g = grid[i];
      if (!markerDone && isNum(g.price) && g.price < cur) { rows.push(marker()); markerDone = true; }
      if (g.side === 'buy') buys++; else if (g.side === 'sell') sells++;
      var tr = el('tr', g.side === 'buy' ? 'buy' : 'sell');
      if (g.status && g.status !== 'open') tr.classList.add('filled');
      tr.setAttribute('data-testid', 'ladder-row');
      tr.appendChild(td(isNum(g.level) ? (g.level > 0 ? '+' + g.level : String(g.level)) : '–', 'n'));
      var sd = td('', 'side'); sd.appendChild(el('span', 'pill ' + (g.side === 'buy' ? 'buy' : 'sell'), g.side === 'buy' ? 'BUY' : 'SELL')); tr.appendChild(sd);
      tr.appendChild(td(fmtPrice(g.price), 'n px'));
      tr.appendChild(td(fmtQty(g.volume, 2), 'n'));
      tr.appendChild(td(isNum(g.volume) && isNum(g.price) ? fmtUsd(g.volume * g.price) : '–', 'n hide-s'));
      tr.appendChild(td(isNum(cur) && cur > 0 ? fmtPct((g.price - cur) / cur * 100, 2, true) : '–', 'n'));
      tr.appendChild(td(g.status || '', 'hide-s muted'));
      rows.push(tr);
    }
    if (!markerDone) rows.push(marker());
    if (grid.length === 0) { var e = el('tr'); var c = td('No grid orders yet', 'muted'); c.colSpan = 7; e.appendChild(c); rows = [e]; }
    body.replaceChildren.apply(body, rows);
    setText('ladder-summary', buys + ' buys · ' + sells + ' sells · spacing ' + fixed(s.config && s.config.spacing_pct, 2) + '%');
    var sig = grid.map(function (g) { return g.price; }).join(',');
    if (sig !== ladderSig) {
      ladderSig = sig;
      var m = $('ladder-marker'), box = $('ladder-scroll');
      if (m && box) box.scrollTop = Math.max(0, m.offsetTop - box.clientHeight / 2);
    }
  }

  function renderTrend(s) {
    var t = s.trend || {};
    var b = isNum(t.buy_pct) ? t.buy_pct : 50, sl = isNum(t.sell_pct) ? t.sell_pct : 100 - b;
    var tot = b + sl > 0 ? b + sl : 100;
    $('trend-buy').style.width = (b / tot * 100) + '%';
    $('trend-sell').style.width = (sl / tot * 100) + '%';
    $('trend-marker').style.left = 'calc(' + Math.min(100, Math.max(0, (isNum(t.ratio) ? t.ratio : 0.5) * 100)) + '% - 1px)';
    setText('trend-buy-pct', 'Buys ' + fmtPct(b, 0));
    setText('trend-sell-pct', 'Sells ' + fmtPct(sl, 0));
    setText('trend-ratio', fixed(t.ratio, 2));
    setText('trend-source', t.source === 'manual' ? 'manual override' : 'auto (from fills)');
    setText('trend-12h', (isNum(t.buy_12h) ? t.buy_12h : 0) + ' buys · ' + (isNum(t.sell_12h) ? t.sell_12h : 0) + ' sells');
    setText('trend-grid', (isNum(t.grid_buys) ? t.grid_buys : 0) + ' buys · ' + (isNum(t.grid_sells) ? t.grid_sells : 0) + ' sells');
  }

  function kvRows(id, pairs) {
    var dl = $(id), out = [];
    for (var i = 0; i < pairs.length; i++) { out.push(el('dt', null, pairs[i][0])); out.push(el('dd', null, pairs[i][1])); }
    dl.replaceChildren.apply(dl, out);
  }

  function renderParams(s) {
    var c = s.config || {}, l = s.ledger || {};
    kvRows('params', [
      ['Order size', fmtUsd(c.order_size)],
      ['Levels per side', isNum(c.grid_levels) ? String(c.grid_levels) : '–'],
      ['Spacing', fmtPct(c.spacing_pct, 2)],
      ['Min spacing', fmtPct(c.min_spacing, 2)],
      ['Round-trip fee', fmtPct(c.round_trip_fee_pct, 2)],
      ['Effective capital', fmtUsd(c.effective_capital)],
      ['Starting capital', fmtUsd(c.starting_capital)],
      ['Drift reset', fmtPct(c.drift_reset_pct, 1)],
      ['Stop floor', fmtUsd(c.stop_floor)],
      ['Daily loss limit', fmtUsd(c.daily_loss_limit)],
      ['Poll interval', isNum(c.poll_interval) ? c.poll_interval + ' s' : '–'],
      ['AI interval', isNum(c.ai_interval) ? fmtDuration(c.ai_interval) : '–'],
      ['Cash', fmtUsd(l.cash)],
      ['Inventory', isNum(l.inventory) ? fmtQty(l.inventory, 2) + ' DOGE' : '–'],
      ['Average cost', fmtPrice(l.avg_cost)],
      ['Realized P&L', fmtUsd(l.realized, true)],
      ['Unrealized P&L', fmtUsd(l.unrealized, true)],
      ['Equity', fmtUsd(l.equity)]
    ]);
  }

  function renderAi(s) {
    var a = s.ai_recommendation, box = $('ai');
    if (!a) { box.replaceChildren(el('div', 'muted', 'No recommendation yet.')); return; }
    var head = el('div', 'a-head');
    head.appendChild(el('span', 'a-name', (a.condition || '?').replace(/_/g, ' ')));
    var pill = el('span', 'pill', (a.action || 'continue').replace(/_/g, ' ').toUpperCase());
    pill.style.color = a.action === 'continue' ? COLORS.green : a.action === 'pause' ? COLORS.red : COLORS.yellow;
    head.appendChild(pill);
    var meta = el('div', 'hint', fmtTime(a.time) + (a.status ? ' · ' + a.status : ''));
    box.replaceChildren(head, el('p', 'ai-reason', a.reason || ''), meta);
  }

  function renderControls(s) {
    var c = s.config || {}, mode = c.controls || 'open';
    var ro = mode === 'read_only';
    var ids = ['spacing-input', 'spacing-apply', 'ratio-input', 'ratio-apply', 'ratio-auto', 'interval-input', 'interval-apply'];
    for (var i = 0; i < ids.length; i++) $(ids[i]).disabled = ro;
    var note = $('controls-note');
    note.className = 'note' + (ro ? ' ro' : '');
    if (ro) note.textContent = 'Read-only: the bot runs LIVE without a dashboard token. Set DASHBOARD_TOKEN in the bot\'s environment to allow changes from this page.';
    else if (mode === 'token') note.textContent = haveToken() ? 'Changes are authorised with your dashboard token (kept for this tab only).' : 'Changes need the dashboard token; you will be asked for it once.';
    else note.textContent = 'Dry run without a token: anyone who can open this page can change these settings.';
    $('forget-token').hidden = !(mode === 'token' && haveToken());
    $('spacing-input').min = isNum(c.min_spacing) ? String(c.min_spacing) : '';
    setText('spacing-hint', 'current ' + fmtPct(c.spacing_pct, 2) + ' · min ' + fmtPct(c.min_spacing, 2) + ' · max 20%');
    var t = s.trend || {};
    setText('ratio-hint', 'current ' + fixed(t.ratio, 2) + ' · ' + (t.source === 'manual' ? 'manual override' : 'auto') + ' · 0.25 – 0.75');
    setText('interval-hint', 'current ' + (isNum(c.ai_interval) ? c.ai_interval + ' s (' + fmtDuration(c.ai_interval) + ')' : '–') + ' · 60 – 86400 s');
    fillInput('spacing', c.spacing_pct);
    fillInput('ratio', t.ratio);
    fillInput('interval', c.ai_interval);
  }
  function fillInput(name, v) {
    var inp = $(name + '-input');
    if (!dirty[name] && document.activeElement !== inp && isNum(v)) inp.value = String(+v.toFixed(6));
  }

  function renderFills(s) {
    var body = $('fills').tBodies[0], fills = Array.isArray(s.recent_fills) ? s.recent_fills.slice(0, 20) : [], rows = [];
    for (var i = 0; i < fills.length; i++) {
      var f = fills[i], tr = el('tr', f.side === 'buy' ? 'buy' : 'sell');
      tr.setAttribute('data-testid', 'fill-row');
      tr.appendChild(td(fmtTime(f.time)));
      var sd = td(''); sd.appendChild(el('span', 'pill ' + (f.side === 'buy' ? 'buy' : 'sell'), f.side === 'buy' ? 'BUY' : 'SELL')); tr.appendChild(sd);
      tr.appendChild(td(fmtPrice(f.price), 'n'));
      tr.appendChild(td(fmtQty(f.volume, 2), 'n hide-s'));
      tr.appendChild(td(fmtUsd(f.fee), 'n hide-s'));
      tr.appendChild(td(f.profit == null ? '–' : fmtUsd(f.profit, true), 'n ' + signClass(f.profit)));
      tr.appendChild(td(isNum(f.level) ? (f.level > 0 ? '+' + f.level : String(f.level)) : '–', 'n hide-s'));
      rows.push(tr);
    }
    if (!rows.length) { var e = el('tr'); var c = td('No fills yet', 'muted'); c.colSpan = 7; e.appendChild(c); rows.push(e); }
    body.replaceChildren.apply(body, rows);
  }

  function renderStats(s) {
    var st = s.stats, hb = $('health'), box = $('analyzers');
    var verdict = st && st.health ? st.health.verdict : 'calibrating';
    var color = colorOf(st && st.health ? st.health.color : 'gray');
    hb.style.borderLeftColor = color;
    var v = $('health-verdict'); v.textContent = String(verdict || '').replace(/_/g, ' ').toUpperCase(); v.style.color = color;
    setText('health-summary', st && st.health ? st.health.summary || '' : 'The analyzers are waiting for enough data.');
    var list = st && Array.isArray(st.analyzers) ? st.analyzers : [];
    var cards = [];
    for (var i = 0; i < list.length; i++) {
      var a = list[i], col = colorOf(a.color), card = el('div', 'analyzer');
      card.setAttribute('data-testid', 'analyzer-card');
      card.style.borderLeftColor = col;
      var head = el('div', 'a-head');
      head.appendChild(el('span', 'a-name', a.name));
      var pill = el('span', 'pill', String(a.verdict || '').replace(/_/g, ' ').toUpperCase()); pill.style.color = col;
      head.appendChild(pill);
      card.appendChild(head);
      var conf = el('div', 'conf'), bar = el('div', 'conf-bar'), fill = el('span');
      var cv = isNum(a.confidence) ? Math.max(0, Math.min(1, a.confidence > 1 ? a.confidence / 100 : a.confidence)) : 0;
      fill.style.width = (cv * 100).toFixed(0) + '%';
      bar.appendChild(fill); conf.appendChild(bar); conf.appendChild(el('span', null, 'confidence ' + (cv * 100).toFixed(0) + '%'));
      card.appendChild(conf);
      card.appendChild(el('p', 'a-summary', a.summary || ''));
      var keys = a.detail && typeof a.detail === 'object' ? Object.keys(a.detail) : [];
      if (keys.length) {
        var det = el('details'), dl = el('dl');
        det.appendChild(el('summary', null, 'Details'));
        for (var k = 0; k < keys.length; k++) {
          var val = a.detail[keys[k]];
          dl.appendChild(el('dt', null, keys[k].replace(/_/g, ' ')));
          dl.appendChild(el('dd', null, isNum(val) ? String(+val.toPrecision(6)) : val == null ? '–' : String(val)));
        }
        det.appendChild(dl); card.appendChild(det);
      }
      cards.push(card);
    }
    if (!cards.length) cards.push(el('div', 'muted', 'No analyzer results yet.'));
    box.replaceChildren.apply(box, cards);
  }

  // ---------- chart ----------
  var chartState = null;
  function drawChart() {
    var s = last, c = $('chart'); if (!c || !s) return;
    var w = c.clientWidth, hgt = c.clientHeight; if (!w || !hgt) return;
    var dpr = window.devicePixelRatio || 1;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(hgt * dpr)) { c.width = Math.round(w * dpr); c.height = Math.round(hgt * dpr); }
    var g = c.getContext('2d'); if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, hgt);
    g.font = '11px system-ui, sans-serif';
    var hist = (Array.isArray(s.price_history) ? s.price_history : []).filter(function (p) { return Array.isArray(p) && isNum(p[0]) && isNum(p[1]); });
    if (hist.length < 2) {
      g.fillStyle = '#8b98a9'; g.textAlign = 'center';
      g.fillText('Collecting price history…', w / 2, hgt / 2);
      chartState = null; return;
    }
    var L = 8, R = 64, T = 10, B = 22;
    var t0 = hist[0][0], t1 = hist[hist.length - 1][0]; if (t1 <= t0) t1 = t0 + 1;
    var lo = Infinity, hi = -Infinity;
    for (var i = 0; i < hist.length; i++) { lo = Math.min(lo, hist[i][1]); hi = Math.max(hi, hist[i][1]); }
    var cur = s.price && s.price.current, center = s.price && s.price.center;
    if (isNum(cur)) { lo = Math.min(lo, cur); hi = Math.max(hi, cur); }
    var grid = Array.isArray(s.grid) ? s.grid : [];
    var above = Infinity, below = -Infinity;
    for (var j = 0; j < grid.length; j++) { var gp = grid[j].price; if (!isNum(gp)) continue; if (gp >= hi && gp < above) above = gp; if (gp <= lo && gp > below) below = gp; }
    if (isFinite(above)) hi = above; if (isFinite(below)) lo = below;
    if (isNum(center) && center > lo - (hi - lo) * 0.5 && center < hi + (hi - lo) * 0.5) { lo = Math.min(lo, center); hi = Math.max(hi, center); }
    var padY = (hi - lo) * 0.08 || hi * 0.01 || 1; lo -= padY; hi += padY;
    var X = function (t) { return L + (t - t0) / (t1 - t0) * (w - L - R); };
    var Y = function (p) { return T + (hi - p) / (hi - lo) * (hgt - T - B); };
    // axes
    g.strokeStyle = 'rgba(139,152,169,.12)'; g.lineWidth = 1; g.fillStyle = '#8b98a9'; g.textAlign = 'left'; g.textBaseline = 'middle';
    var tagY = isNum(cur) ? Y(cur) : -1e9;
    for (var k = 0; k <= 4; k++) {
      var pv = lo + (hi - lo) * k / 4, yy = Math.round(Y(pv)) + 0.5;
      g.beginPath(); g.moveTo(L, yy); g.lineTo(w - R, yy); g.stroke();
      if (Math.abs(yy - tagY) > 14) g.fillText(fmtPrice(pv), w - R + 6, yy);
    }
    g.textAlign = 'center'; g.textBaseline = 'alphabetic';
    for (var q = 0; q <= 4; q++) {
      var tv = t0 + (t1 - t0) * q / 4, d = new Date(tv), xx = X(tv);
      g.textAlign = q === 0 ? 'left' : q === 4 ? 'right' : 'center';
      g.fillText(pad(d.getHours()) + ':' + pad(d.getMinutes()), xx, hgt - 6);
    }
    // grid levels
    g.setLineDash([4, 4]);
    for (var m = 0; m < grid.length; m++) {
      var lv = grid[m]; if (!isNum(lv.price) || lv.price < lo || lv.price > hi) continue;
      var ly = Math.round(Y(lv.price)) + 0.5;
      g.strokeStyle = lv.side === 'buy' ? 'rgba(63,185,80,.55)' : 'rgba(248,81,73,.55)';
      g.beginPath(); g.moveTo(L, ly); g.lineTo(w - R, ly); g.stroke();
    }
    if (isNum(center) && center >= lo && center <= hi) {
      g.setLineDash([2, 3]); g.strokeStyle = 'rgba(154,167,184,.8)';
      var cy = Math.round(Y(center)) + 0.5; g.beginPath(); g.moveTo(L, cy); g.lineTo(w - R, cy); g.stroke();
      g.fillStyle = '#9aa7b8'; g.textAlign = 'left'; g.textBaseline = 'bottom'; g.fillText('center', L + 2, cy - 2);
    }
    g.setLineDash([]);
    // price area + line
    var grad = g.createLinearGradient(0, T, 0, hgt - B);
    grad.addColorStop(0, 'rgba(227,179,65,.28)'); grad.addColorStop(1, 'rgba(227,179,65,0)');
    g.beginPath(); g.moveTo(X(hist[0][0]), Y(hist[0][1]));
    for (var n = 1; n < hist.length; n++) g.lineTo(X(hist[n][0]), Y(hist[n][1]));
    g.lineTo(X(hist[hist.length - 1][0]), hgt - B); g.lineTo(X(hist[0][0]), hgt - B); g.closePath();
    g.fillStyle = grad; g.fill();
    g.beginPath(); g.moveTo(X(hist[0][0]), Y(hist[0][1]));
    for (var n2 = 1; n2 < hist.length; n2++) g.lineTo(X(hist[n2][0]), Y(hist[n2][1]));
    g.strokeStyle = '#e3b341'; g.lineWidth = 1.6; g.lineJoin = 'round'; g.stroke();
    // fills
    var fills = Array.isArray(s.recent_fills) ? s.recent_fills : [];
    for (var f = 0; f < fills.length; f++) {
      var fl = fills[f], ft = Date.parse(fl.time);
      if (!isNum(ft) || ft < t0 || ft > t1 || !isNum(fl.price) || fl.price < lo || fl.price > hi) continue;
      var fx = X(ft), fy = Y(fl.price), up = fl.side === 'buy';
      g.beginPath();
      if (up) { g.moveTo(fx, fy - 6); g.lineTo(fx - 5, fy + 4); g.lineTo(fx + 5, fy + 4); }
      else { g.moveTo(fx, fy + 6); g.lineTo(fx - 5, fy - 4); g.lineTo(fx + 5, fy - 4); }
      g.closePath(); g.fillStyle = up ? '#3fb950' : '#f85149'; g.fill(); g.strokeStyle = '#0b0f14'; g.lineWidth = 1; g.stroke();
    }
    // current price tag
    if (isNum(cur)) {
      var py = Y(cur), px = X(hist[hist.length - 1][0]);
      g.beginPath(); g.arc(px, py, 3.5, 0, Math.PI * 2); g.fillStyle = '#e3b341'; g.fill();
      g.fillStyle = '#e3b341'; g.fillRect(w - R + 2, py - 9, R - 4, 18);
      g.fillStyle = '#1a1405'; g.textAlign = 'left'; g.textBaseline = 'middle'; g.font = 'bold 11px system-ui, sans-serif'; g.fillText(fmtPrice(cur), w - R + 6, py);
    }
    chartState = { hist: hist, X: X, Y: Y, t0: t0, t1: t1, L: L, R: R, T: T, B: B, w: w, h: hgt };
    if (hoverX != null) drawHover(g);
  }
  function drawHover(g) {
    var st = chartState, tip = $('chart-tip'); if (!st) { tip.hidden = true; return; }
    var t = st.t0 + (hoverX - st.L) / (st.w - st.L - st.R) * (st.t1 - st.t0);
    var a = 0, b = st.hist.length - 1;
    while (b - a > 1) { var mid = (a + b) >> 1; if (st.hist[mid][0] < t) a = mid; else b = mid; }
    var p = Math.abs(st.hist[a][0] - t) < Math.abs(st.hist[b][0] - t) ? st.hist[a] : st.hist[b];
    var x = st.X(p[0]), y = st.Y(p[1]);
    g.strokeStyle = 'rgba(230,237,243,.35)'; g.setLineDash([3, 3]); g.lineWidth = 1;
    g.beginPath(); g.moveTo(x, st.T); g.lineTo(x, st.h - st.B); g.stroke(); g.setLineDash([]);
    g.beginPath(); g.arc(x, y, 4, 0, Math.PI * 2); g.fillStyle = '#e6edf3'; g.fill();
    tip.textContent = fmtTime(p[0]) + '  ·  ' + fmtPrice(p[1]);
    tip.hidden = false;
    var left = x + 12; if (left + tip.offsetWidth > st.w - st.R) left = x - 12 - tip.offsetWidth;
    tip.style.left = Math.max(0, left) + 'px'; tip.style.top = Math.max(0, y - 30) + 'px';
  }
  function onHover(ev) {
    var c = $('chart'), r = c.getBoundingClientRect();
    var cx = ev.touches && ev.touches[0] ? ev.touches[0].clientX : ev.clientX;
    hoverX = cx - r.left; drawChart();
  }
  function endHover() { hoverX = null; $('chart-tip').hidden = true; drawChart(); }

  // ---------- refresh loop ----------
  function section(fn, s) { try { fn(s); } catch (e) { if (window.console) console.warn('render failed', e); } }
  function render(s) {
    section(renderHeader, s); section(renderCards, s); section(renderLadder, s); section(renderTrend, s);
    section(renderParams, s); section(renderAi, s); section(renderControls, s); section(renderFills, s); section(renderStats, s);
    section(drawChart, s);
    tickClock();
  }
  function tickClock() {
    var now = Date.now(), conn = $('conn');
    if (last) {
      // While the bot does not answer, its uptime is unknown: keep the last figure.
      if (!failingSince) setText('uptime', fmtDuration((last.uptime || 0) + (now - fetchedAt) / 1000));
      setText('last-tick', last.last_tick ? ago(now - Date.parse(last.last_tick)) : 'not yet');
    }
    if (failingSince) {
      conn.className = 'conn bad'; conn.textContent = 'unreachable';
      $('unreachable').hidden = false;
      setText('unreachable-text', 'Bot unreachable (' + failReason + ') since ' + fmtTime(failingSince) + '. ' +
        (lastOkAt ? 'Showing data from ' + ago(now - lastOkAt) + '. ' : '') + 'Retrying every ' + Math.round(REFRESH / 1000) + ' s.');
      document.body.classList.add('stale');
    } else {
      $('unreachable').hidden = true; document.body.classList.remove('stale');
      if (lastOkAt) { conn.className = 'conn'; conn.textContent = 'updated ' + ago(now - lastOkAt); }
    }
  }
  function schedule(ms) { clearTimeout(timer); timer = setTimeout(refresh, ms == null ? REFRESH : ms); }
  function refresh() {
    if (inflight) return;
    inflight = true;
    var ctl = typeof AbortController === 'function' ? new AbortController() : null;
    var to = setTimeout(function () { if (ctl) ctl.abort(); }, Math.max(3000, REFRESH - 500));
    fetch('api/status', { cache: 'no-store', headers: { Accept: 'application/json' }, signal: ctl ? ctl.signal : undefined })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (s) {
        if (!s || typeof s !== 'object') throw new Error('bad answer');
        last = s; lastOkAt = fetchedAt = Date.now(); failingSince = 0; render(s);
      })
      .catch(function (e) {
        if (!failingSince) failingSince = Date.now();
        failReason = e && e.name === 'AbortError' ? 'timeout' : e && /^HTTP /.test(e.message) ? e.message : 'no connection';
        tickClock();
      })
      .then(function () { clearTimeout(to); inflight = false; schedule(); });
  }

  // ---------- controls ----------
  var TOKEN_KEY = 'dogegrid.dashboardToken';
  function getToken() { try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (e) { return ''; } }
  function haveToken() { return getToken() !== ''; }
  function setToken(t) { try { if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage unavailable */ } }
  function setMsg(kind, text) { var m = $('control-msg'); m.hidden = !text; m.className = 'msg ' + kind; m.textContent = text; }
  function setBusy(b) {
    var ro = last && last.config && last.config.controls === 'read_only';
    var ids = ['spacing-apply', 'ratio-apply', 'ratio-auto', 'interval-apply'];
    for (var i = 0; i < ids.length; i++) $(ids[i]).disabled = b || !!ro;
  }
  function post(body) {
    var headers = { 'Content-Type': 'application/json', Accept: 'application/json' }, tok = getToken();
    if (tok) headers.Authorization = 'Bearer ' + tok;
    setBusy(true); setMsg('pending', 'Applying…');
    return fetch('api/config', { method: 'POST', headers: headers, body: JSON.stringify(body), cache: 'no-store' })
      .then(function (r) {
        return r.json().catch(function () { return null; }).then(function (j) { return { status: r.status, ok: r.ok, j: j }; });
      })
      .then(function (res) {
        var j = res.j || {};
        if (res.status === 401) {
          setToken(''); pendingBody = body;
          $('token-form').hidden = false;
          setText('token-label', tok ? 'That token was refused. Enter the dashboard token:' : 'Enter the dashboard token to apply changes:');
          setMsg('err', 'The bot needs the dashboard token for changes.');
          $('token-input').focus();
          return;
        }
        if (res.ok && j.ok) {
          var applied = Array.isArray(j.applied) ? j.applied : [];
          setMsg('ok', applied.length ? applied.join(' · ') : 'Applied.');
          for (var k in body) if (Object.prototype.hasOwnProperty.call(body, k)) dirty[k] = false;
          schedule(0);
          return;
        }
        var errs = Array.isArray(j.errors) ? j.errors : j.error ? [j.error] : ['The bot refused the change (HTTP ' + res.status + ').'];
        setMsg('err', errs.join(' · '));
      })
      .catch(function () { setMsg('err', 'Could not reach the bot; nothing was changed.'); })
      .then(function () { setBusy(false); });
  }
  function valueOf(name) {
    var raw = $(name + '-input').value.trim();
    if (raw === '') { setMsg('err', 'Enter a value first.'); return null; }
    var n = Number(raw);
    if (!isFinite(n)) { setMsg('err', 'Enter a number.'); return null; }
    return n;
  }
  function bindForm(name, extra) {
    $(name + '-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var v = valueOf(name); if (v == null) return;
      var body = {}; body[name] = v; post(body);
    });
    $(name + '-input').addEventListener('input', function () { dirty[name] = true; });
  }

  function init() {
    bindForm('spacing'); bindForm('ratio'); bindForm('interval');
    $('ratio-auto').addEventListener('click', function () { dirty.ratio = false; post({ ratio: 'auto' }); });
    $('token-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var t = $('token-input').value.trim(); if (!t) return;
      setToken(t); $('token-input').value = ''; $('token-form').hidden = true;
      if (pendingBody) { var b = pendingBody; pendingBody = null; post(b); }
    });
    $('forget-token').addEventListener('click', function () { setToken(''); setMsg('ok', 'Token forgotten for this tab.'); if (last) renderControls(last); });
    var c = $('chart');
    c.addEventListener('mousemove', onHover); c.addEventListener('mouseleave', endHover);
    c.addEventListener('touchstart', onHover, { passive: true }); c.addEventListener('touchmove', onHover, { passive: true }); c.addEventListener('touchend', endHover);
    var rt = 0;
    window.addEventListener('resize', function () { clearTimeout(rt); rt = setTimeout(drawChart, 100); });
    document.addEventListener('visibilitychange', function () { if (!document.hidden) schedule(0); });
    setInterval(tickClock, 1000);
    refresh();
  }
  init();
})();
`;

const BODY = String.raw`
<div class="wrap">
<header class="top">
  <div class="brand">
    <div class="logo" aria-hidden="true">Ð</div>
    <div>
      <h1>DOGE grid bot <span class="muted" id="pair"></span></h1>
      <div class="sub">up <span id="uptime">–</span> · last tick <span id="last-tick">–</span></div>
    </div>
  </div>
  <div class="badges">
    <span id="mode-badge" class="badge dry" data-testid="mode-badge">…</span>
    <span id="paused-badge" class="badge paused" hidden>PAUSED</span>
    <span id="conn" class="conn wait">connecting…</span>
  </div>
</header>

<div id="unreachable" class="banner bad" role="alert" hidden data-testid="unreachable"><span id="unreachable-text">Bot unreachable.</span></div>
<div id="pause-banner" class="banner warn" role="status" hidden></div>
<div id="health" class="banner health" data-testid="health"><span class="label">Health</span> <b id="health-verdict">…</b> <span id="health-summary" class="muted"></span></div>

<section class="cards" aria-label="Summary">
  <div class="card"><div class="label">Price</div><div class="value" id="price" data-testid="price">–</div><div class="foot" id="price-change"></div></div>
  <div class="card"><div class="label">Grid center</div><div class="value" id="center" data-testid="center">–</div><div class="foot" id="drift"></div></div>
  <div class="card"><div class="label">Today P&amp;L</div><div class="value" id="pnl-today">–</div><div class="foot" id="pnl-today-foot"></div></div>
  <div class="card"><div class="label">Total P&amp;L</div><div class="value" id="pnl-total">–</div><div class="foot" id="pnl-total-foot"></div></div>
  <div class="card"><div class="label">Round trips</div><div class="value" id="round-trips">–</div><div class="foot" id="round-trips-foot"></div></div>
  <div class="card"><div class="label">DOGE accumulated</div><div class="value" id="doge-acc">–</div><div class="foot" id="doge-acc-foot"></div></div>
</section>

<main class="layout">
  <div class="col">
    <section class="panel">
      <h2>Price · 24 h <span class="muted">grid levels and fills marked</span></h2>
      <div class="chart-wrap"><canvas id="chart" data-testid="chart" aria-label="Price chart with grid levels and fills" role="img"></canvas><div id="chart-tip" class="tip" hidden></div></div>
      <div class="legend"><span><i class="sw price"></i>price</span><span><i class="sw buy"></i>buy level / ▲ buy fill</span><span><i class="sw sell"></i>sell level / ▼ sell fill</span><span><i class="sw center"></i>center</span></div>
    </section>
    <section class="panel">
      <h2>Grid ladder <span class="muted" id="ladder-summary"></span></h2>
      <div class="scroll" id="ladder-scroll">
        <table id="ladder" data-testid="ladder">
          <thead><tr><th class="n">Lvl</th><th>Side</th><th class="n">Price</th><th class="n">DOGE</th><th class="n hide-s">USD</th><th class="n">From price</th><th class="hide-s">Status</th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
    </section>
  </div>

  <div class="col">
    <section class="panel" id="trend">
      <h2>Trend ratio <span class="muted"><span id="trend-ratio">–</span> · <span id="trend-source">–</span></span></h2>
      <div class="trend-bar" data-testid="trend-bar"><div id="trend-buy" class="seg buy"></div><div id="trend-sell" class="seg sell"></div><div id="trend-marker" class="trend-marker"></div></div>
      <div class="trend-legend"><span id="trend-buy-pct" class="pos">Buys –</span><span id="trend-sell-pct" class="neg">Sells –</span></div>
      <dl class="kv"><dt>Fills, last 12 h</dt><dd id="trend-12h">–</dd><dt>Grid orders</dt><dd id="trend-grid">–</dd></dl>
    </section>

    <section class="panel" id="controls">
      <h2>Controls <button type="button" id="forget-token" class="ghost" hidden>Forget token</button></h2>
      <div id="controls-note" class="note"></div>
      <form class="ctl" id="spacing-form" novalidate>
        <label for="spacing-input">Grid spacing (%)</label>
        <div class="row"><input id="spacing-input" name="spacing" type="number" step="0.05" max="20" inputmode="decimal" autocomplete="off"><button id="spacing-apply" type="submit">Apply</button></div>
        <div class="hint" id="spacing-hint"></div>
      </form>
      <form class="ctl" id="ratio-form" novalidate>
        <label for="ratio-input">Trend ratio (manual override)</label>
        <div class="row"><input id="ratio-input" name="ratio" type="number" step="0.01" min="0.25" max="0.75" inputmode="decimal" autocomplete="off"><button id="ratio-apply" type="submit">Set</button><button id="ratio-auto" type="button" class="ghost">Auto</button></div>
        <div class="hint" id="ratio-hint"></div>
      </form>
      <form class="ctl" id="interval-form" novalidate>
        <label for="interval-input">AI advisor interval (seconds)</label>
        <div class="row"><input id="interval-input" name="interval" type="number" step="60" min="60" max="86400" inputmode="numeric" autocomplete="off"><button id="interval-apply" type="submit">Apply</button></div>
        <div class="hint" id="interval-hint"></div>
      </form>
      <form class="ctl" id="token-form" hidden>
        <label for="token-input" id="token-label">Enter the dashboard token to apply changes:</label>
        <div class="row"><input id="token-input" type="password" autocomplete="current-password"><button id="token-submit" type="submit">Unlock</button></div>
      </form>
      <div id="control-msg" class="msg" role="status" aria-live="polite" hidden data-testid="control-msg"></div>
    </section>

    <section class="panel">
      <h2>AI advisor</h2>
      <div id="ai"><div class="muted">No recommendation yet.</div></div>
    </section>

    <section class="panel">
      <h2>Parameters</h2>
      <dl class="kv" id="params" data-testid="params"></dl>
    </section>
  </div>
</main>

<section class="panel" id="stats-panel">
  <h2>Analyzers</h2>
  <div id="analyzers" class="analyzers" data-testid="analyzers"></div>
</section>

<section class="panel" id="fills-panel">
  <h2>Recent fills <span class="muted">last 20</span></h2>
  <div class="hscroll">
    <table id="fills" data-testid="fills">
      <thead><tr><th>Time</th><th>Side</th><th class="n">Price</th><th class="n hide-s">DOGE</th><th class="n hide-s">Fee</th><th class="n">Profit</th><th class="n hide-s">Lvl</th></tr></thead>
      <tbody></tbody>
    </table>
  </div>
</section>
`;

/** The dashboard HTML with `nonce` on its one style and one script element. */
export function dashboardHtml(nonce: string, opts: DashboardOptions = {}): string {
  const n = escapeHtml(nonce);
  const refresh = Math.max(500, Math.round(opts.refreshMs ?? 5000));
  const exports = (opts.exports ?? []).filter((e) => /^[A-Za-z0-9_-]{1,40}$/.test(e));
  const links = exports.map((e) => `<a href="api/export/${escapeHtml(e)}.csv" download>${escapeHtml(e)}.csv</a>`).join(' · ');
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="color-scheme" content="dark">\n' +
    '<meta name="referrer" content="no-referrer">\n<title>DOGE grid bot</title>\n<link rel="icon" href="data:,">\n' +
    `<style nonce="${n}">${CSS}</style>\n</head>\n<body data-refresh-ms="${refresh}">` +
    BODY +
    `<footer>${links ? `<span>Download: ${links}</span>` : ''}<span>API: <a href="api/status">status</a> · <a href="api/stats">stats</a> · <a href="health">health</a> · <a href="metrics">metrics</a></span><span>Refreshes every ${Math.round(refresh / 100) / 10} s</span></footer>\n</div>\n` +
    `<script nonce="${n}">${SCRIPT}</script>\n</body>\n</html>\n`
  );
}
