// The dashboard's markup: the stable ids the script (dashboard/client/) fills
// in and the tests look for. No data and no bounds here: the input min/max
// attributes and the hints come from status.limits at render time.

export const BODY = String.raw`
<div class="wrap">
<header class="top">
  <div class="brand">
    <div class="logo" aria-hidden="true">Ð</div>
    <div>
      <h1>DOGE grid bot <span class="muted" id="pair"></span></h1>
      <div class="sub">up <span id="uptime">–</span> · last tick <span id="last-tick">–</span> · stream <span id="stream" data-testid="stream">–</span></div>
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
<section class="money" aria-label="Equity" data-testid="money">
  <div class="m-main"><div class="label">Equity since start</div><div class="headline" id="equity-change" data-testid="equity-change">–</div><div class="foot" id="equity-foot"></div></div>
  <div class="m-side"><div class="label">vs holding</div><div class="value" id="vs-hold" data-testid="vs-hold">–</div><div class="foot" id="hold-foot"></div></div>
</section>
<div id="health" class="banner health" data-testid="health"><span class="label">Health</span> <b id="health-verdict">…</b> <span id="health-summary" class="muted"></span></div>

<section class="cards" aria-label="Summary">
  <div class="card"><div class="label">Price</div><div class="value" id="price" data-testid="price">–</div><div class="foot" id="price-change"></div></div>
  <div class="card"><div class="label">Grid center</div><div class="value" id="center" data-testid="center">–</div><div class="foot" id="drift"></div></div>
  <div class="card"><div class="label">Grid profit (realized)</div><div class="value" id="pnl-total">–</div><div class="foot">today <span id="pnl-today">–</span> · <span id="pnl-total-foot"></span></div></div>
  <div class="card"><div class="label">Inventory P&amp;L (unrealized)</div><div class="value" id="inv-pnl">–</div><div class="foot" id="inv-pnl-foot"></div></div>
  <div class="card"><div class="label">Round trips</div><div class="value" id="round-trips">–</div><div class="foot" id="round-trips-foot"></div><div class="foot" id="pnl-today-foot" hidden></div></div>
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
        <div class="row"><input id="spacing-input" name="spacing" type="number" step="0.05" inputmode="decimal" autocomplete="off"><button id="spacing-apply" type="submit">Apply</button></div>
        <div class="hint" id="spacing-hint"></div>
      </form>
      <form class="ctl" id="ratio-form" novalidate>
        <label for="ratio-input">Trend ratio (manual override)</label>
        <div class="row"><input id="ratio-input" name="ratio" type="number" step="0.01" inputmode="decimal" autocomplete="off"><button id="ratio-apply" type="submit">Set</button><button id="ratio-auto" type="button" class="ghost">Auto</button></div>
        <div class="hint" id="ratio-hint"></div>
      </form>
      <form class="ctl" id="interval-form" novalidate>
        <label for="interval-input">AI advisor interval (seconds)</label>
        <div class="row"><input id="interval-input" name="interval" type="number" step="60" inputmode="numeric" autocomplete="off"><button id="interval-apply" type="submit">Apply</button></div>
        <div class="hint" id="interval-hint"></div>
      </form>
      <form class="ctl" id="rules-form" novalidate>
        <label for="start-price-input">Start price (empty: off)</label>
        <div class="row"><input id="start-price-input" name="start_price" type="number" step="any" inputmode="decimal" autocomplete="off"></div>
        <label for="take-profit-input">Take-profit equity, USD (empty: off)</label>
        <div class="row"><input id="take-profit-input" name="take_profit" type="number" step="any" inputmode="decimal" autocomplete="off"></div>
        <label for="stop-action-input">On a stop</label>
        <div class="row"><select id="stop-action-input" name="stop_action"><option value="hold">hold the DOGE</option><option value="sell">sell the DOGE</option></select></div>
        <label for="profit-mode-input">Profit mode</label>
        <div class="row"><select id="profit-mode-input" name="profit_mode"><option value="accumulate">accumulate</option><option value="compound">compound</option><option value="fixed">fixed</option></select><button id="rules-apply" type="submit">Apply</button></div>
        <div class="hint" id="rules-hint"></div>
      </form>
      <form class="ctl" id="modes-form" novalidate>
        <label for="grid-mode-select">Grid mode · level spacing</label>
        <div class="row"><select id="grid-mode-select" name="grid_mode"><option value="drift">drift rebuild</option><option value="trailing">trailing</option></select><select id="spacing-mode-select" name="spacing_mode"><option value="arithmetic">arithmetic</option><option value="geometric">geometric</option></select><button id="modes-apply" type="submit">Apply</button></div>
        <div class="hint" id="modes-hint"></div>
      </form>
      <div class="ctl">
        <label for="suggest-run">Backtested settings</label>
        <div class="row"><button id="suggest-run" type="button" class="ghost">Suggest settings</button></div>
        <div class="hint">A walk-forward backtest on the bot's recent candles, in the background; a better configuration arrives in Telegram with Approve / Skip.</div>
      </div>
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

<section class="panel" id="equity-panel">
  <h2>Equity vs holding <span class="muted" id="equity-hold-summary">whole history, at each day's close</span></h2>
  <div class="chart-wrap short"><canvas id="equity-chart" data-testid="equity-chart" aria-label="Equity against the hold benchmark, one point per day" role="img"></canvas></div>
  <div class="legend"><span><i class="sw equity"></i>equity</span><span><i class="sw hold"></i>hold (half USD, half DOGE at the first price)</span></div>
</section>

<section class="panel" id="periods-panel">
  <h2>Periods <span class="tabs" role="group" aria-label="Period length"><button type="button" class="ghost on" data-kind="day" aria-pressed="true">Days</button><button type="button" class="ghost" data-kind="week" aria-pressed="false">Weeks</button><button type="button" class="ghost" data-kind="month" aria-pressed="false">Months</button></span></h2>
  <div class="scroll short">
    <table id="periods" data-testid="periods">
      <thead><tr><th>Period</th><th class="n">Round trips</th><th class="n">Grid profit</th><th class="n hide-s">Fees</th><th class="n">Equity</th><th class="n">vs hold</th></tr></thead>
      <tbody></tbody>
    </table>
  </div>
  <div class="note" id="periods-notes" data-testid="periods-notes"></div>
</section>

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
