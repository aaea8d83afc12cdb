// The dashboard's style sheet, sent in the page's one nonced <style> element.
// Dark theme, no external fonts or images; narrow screens get one column.

export const CSS = String.raw`
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
.money{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:12px;margin-bottom:12px}
.money>div{background:var(--panel);border:1px solid var(--line);border-radius:var(--radius);padding:12px 16px;min-width:0}
.headline{font-size:34px;font-weight:800;line-height:1.15;margin-top:2px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
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
canvas#equity-chart{width:100%;height:100%;display:block}
.tip{position:absolute;pointer-events:none;background:rgba(18,24,33,.95);border:1px solid var(--line);border-radius:8px;padding:5px 8px;font-size:12px;white-space:nowrap}
.legend{display:flex;gap:14px;flex-wrap:wrap;color:var(--muted);font-size:12px;margin-top:8px}
.sw{display:inline-block;width:14px;height:3px;border-radius:2px;vertical-align:middle;margin-right:5px}
.sw.equity{background:var(--blue)}.sw.hold{background:#9aa7b8}.chart-wrap.short{height:220px}.scroll.short{max-height:320px}.tabs{display:flex;gap:4px}.tabs button{padding:3px 10px;font-size:12px;text-transform:none;letter-spacing:0}.tabs button.on{border-color:var(--blue);color:var(--blue)}tr.open td{font-style:italic}
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
input,select{flex:1;min-width:0;background:var(--bg);color:var(--text);border:1px solid var(--line);border-radius:8px;padding:8px 10px;font:inherit;font-variant-numeric:tabular-nums}
input:focus,select:focus{outline:2px solid var(--blue);outline-offset:-1px}
button{background:#1f6feb;color:#fff;border:0;border-radius:8px;padding:8px 14px;font:inherit;font-weight:600;cursor:pointer;white-space:nowrap}
button.ghost{background:var(--panel2);color:var(--text);border:1px solid var(--line)}
button:disabled,input:disabled,select:disabled{opacity:.45;cursor:not-allowed}
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
@media (max-width:560px){.money{grid-template-columns:minmax(0,1fr)}.headline{font-size:26px}.wrap{padding:10px 10px 24px}.cards{grid-template-columns:repeat(2,minmax(0,1fr));gap:8px}.value{font-size:18px}.analyzers{grid-template-columns:minmax(0,1fr)}.chart-wrap{height:220px}td,th{padding:5px 6px}.hide-s{display:none}.panel{padding:12px}}
`;
