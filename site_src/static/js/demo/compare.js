// Compare modes: asks the simulator how the other modes fared on the same run, shows the
// table, and takes it away once another run has started.
import { calls } from "guide/bridge/messages.js";
import { setText } from "guide/demo/dom.js";
import { count, milliseconds, percent, ratio, secondsFigure, simulatedTime } from "guide/demo/format.js";
import { root, showNotice } from "guide/demo/page.js";
import { run, ui } from "guide/demo/state.js";

// The simulator names the rows and their units (sim/story/compare_rows.py); this formats them.
const UNITS = { count, ms: milliseconds, s: secondsFigure, ratio, percent };

function figure(row, metrics) {
  const value = metrics[row.key];
  const format = UNITS[row.unit];
  return value === null || value === undefined || !format ? row.none : format(value);
}

export async function compareModes() {
  if (ui.comparing) return; // one comparison at a time: a second click starts nothing
  ui.comparing = true;
  performance.mark("compare-asked");
  renderComparing({ done_ns: 0, total_ns: 0 });
  try {
    await run.queue;
    const result = JSON.parse(await run.runtime.call(calls.compare, null, renderComparing));
    const labels = Object.fromEntries(run.snapshot.modes.map((mode) => [mode.id, mode.label]));
    // After a learner's policy ran: this run's column and the built-in policy's are named.
    for (const [key, label] of Object.entries(result.labels ?? {})) {
      if (typeof label === "string") labels[key] = label.slice(0, 80);
    }
    renderComparison(result, labels);
  } catch (error) {
    showNotice(`The comparison did not run: ${error.message}`);
  } finally {
    ui.comparing = false;
    renderComparing(null);
  }
}

// A comparison belongs to one run: once a reset or a mode switch has started another, the
// simulator calls it stale, and it goes. (A snapshot from before it was made says nothing.)
export function hideStaleComparison(snapshot) {
  if (snapshot.comparison?.stale) forgetComparison();
}

export function forgetComparison() {
  root.querySelector("#demo-compare").hidden = true;
}

// One column per mode and a row per figure, so three narrow columns fit a phone; the rows are
// the comparison's (the scaling figures only once the run has added or removed a server).
function renderComparison(result, labels) {
  const modes = Object.keys(result.modes);
  const head = document.createElement("tr");
  for (const text of ["", ...modes.map((mode) => labels[mode] ?? mode)]) {
    const cell = document.createElement(text ? "th" : "td");
    if (text) {
      cell.scope = "col";
      cell.textContent = text;
    }
    head.append(cell);
  }
  root.querySelector("#demo-compare-head").replaceChildren(head);
  const rows = result.rows.map((compared) => {
    const row = document.createElement("tr");
    row.dataset.figure = compared.key;
    const header = document.createElement("th");
    header.scope = "row";
    header.textContent = compared.name;
    row.append(header);
    for (const mode of modes) {
      const cell = document.createElement("td");
      cell.textContent = figure(compared, result.modes[mode]);
      row.append(cell);
    }
    return row;
  });
  root.querySelector("#demo-compare-rows").replaceChildren(...rows);
  setText(root.querySelector("#demo-compare-time"), simulatedTime(result.time_ns));
  root.querySelector("#demo-compare").hidden = false;
  renderCompareHint();
}

// On a screen too narrow for every column (a small embed), say that the table scrolls.
export function renderCompareHint() {
  const scroller = root.querySelector("#demo-compare");
  const hint = root.querySelector("#demo-compare-hint");
  hint.hidden = scroller.hidden || scroller.querySelector("table").offsetWidth <= scroller.clientWidth;
}

// While the other modes catch up with the run: a busy button and how far they have got.
// `progress` is null once the comparison is over.
function renderComparing(progress) {
  const button = root.querySelector('[data-action="compare"]');
  const holder = root.querySelector("#demo-comparing");
  const bar = holder.querySelector("progress");
  if (progress === null) {
    button.removeAttribute("aria-disabled");
    button.removeAttribute("aria-busy");
    holder.hidden = true;
    return;
  }
  button.setAttribute("aria-disabled", "true");
  button.setAttribute("aria-busy", "true");
  holder.hidden = false;
  const { done_ns, total_ns } = progress;
  if (total_ns) {
    bar.max = total_ns;
    bar.value = done_ns;
  } else {
    bar.removeAttribute("value");
  }
  const text = total_ns
    ? `Comparing modes: the other modes have replayed ${simulatedTime(done_ns, total_ns)} of ${simulatedTime(total_ns)} of simulated time`
    : "Comparing modes…";
  setText(holder.querySelector("#demo-comparing-text"), text);
}
