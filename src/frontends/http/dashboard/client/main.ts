// The dashboard script's entry point (SPEC §3): bind the controls and the
// chart, then refresh from GET api/status every few seconds. Everything is
// rendered with DOM calls and textContent only.
import { bindControls } from './actions.js';
import { bindChart } from './chart.js';
import { tickClock } from './connection.js';
import { bindPeriods } from './periods.js';
import { refresh, schedule } from './refresh.js';
import { state } from './state.js';

function init(): void {
  state.refreshMs = Math.max(500, Number(document.body.getAttribute('data-refresh-ms')) || 5000);
  bindControls();
  bindChart();
  bindPeriods();
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) schedule(0);
  });
  setInterval(tickClock, 1000);
  void refresh();
}

init();
