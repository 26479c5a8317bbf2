// Renders a simulator snapshot into the demo. render() gives the same page however often it is
// called with the same snapshot; it computes nothing the simulator has not.
import { setText, iconFrom } from "guide/demo/dom.js";
import { count, milliseconds, simulatedTime } from "guide/demo/format.js";
import { renderServers, renderStore } from "guide/demo/nodes.js";
import { hideStaleComparison } from "guide/demo/compare.js";
import { renderChart } from "guide/demo/chart.js";
import { drawWiresIfChanged, animateNewTraces } from "guide/demo/dots.js";
import { renderLesson } from "guide/demo/lesson-view.js";
import { renderMode } from "guide/demo/mode.js";
import { root } from "guide/demo/page.js";
import { run, ui } from "guide/demo/state.js";
import { renderOwnPolicy } from "guide/demo/exercise-view.js";
import { markCodeRan } from "guide/demo/code-ran.js";

/** Everything a new snapshot changes: the controls and nodes, the lesson, chart, wires, dots. */
export function renderAll() {
  const snapshot = run.snapshot;
  render(snapshot);
  renderLesson(snapshot);
  hideStaleComparison(snapshot);
  renderChart(root.querySelector("#demo-chart"), snapshot.series, snapshot.series_bucket_ms);
  drawWiresIfChanged(snapshot);
  animateNewTraces(snapshot);
  renderOwnPolicy(snapshot, ui.ready);
  markCodeRan(snapshot);
}

/** The controls, the nodes, the figures and the log, from one snapshot. */
export function render(snapshot) {
  renderControls(snapshot);
  renderServers(root, snapshot, ui.ready);
  renderStore(root, snapshot, ui.ready);
  renderMetrics(snapshot);
  renderLog(snapshot);
}

export function renderPause(paused) {
  const button = root.querySelector('[data-action="pause"]');
  button.querySelector(".icon").replaceWith(iconFrom(root, paused ? "play" : "pause"));
  button.querySelector(".label").textContent = paused ? "Resume" : "Pause";
}

function renderMetrics(snapshot) {
  const metrics = snapshot.metrics;
  for (const element of root.querySelectorAll("[data-metric]")) {
    const key = element.dataset.metric;
    setText(element, key.endsWith("_ms") ? milliseconds(metrics[key]) : count(metrics[key]));
  }
  setText(root.querySelector("[data-field=time]"), simulatedTime(snapshot.time_ns));
  setText(root.querySelector("[data-field=window]"), snapshot.detection_window);
}

// The log is appended to, not rebuilt, so a screen reader announces only the new lines.
function renderLog(snapshot) {
  const log = root.querySelector("#demo-log");
  const entries = snapshot.log;
  const lastShown = Number(log.dataset.lastSeq || -1);
  const lastSeq = entries.length ? entries[entries.length - 1].seq : -1;
  // A reset or a replayed link starts a new run: time and sequence numbers go back.
  const earlier = snapshot.time_ns < Number(log.dataset.time || 0);
  if (!log.dataset.lastSeq || lastSeq < lastShown || earlier) {
    log.replaceChildren();
    log.dataset.lastSeq = "-1";
  }
  log.dataset.time = String(snapshot.time_ns);
  const shown = Number(log.dataset.lastSeq);
  const fresh = entries.filter((entry) => entry.seq > shown);
  // Reading the scroll height after the figures were written forces a layout: only for new lines.
  const pinned = fresh.length > 0 && log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  for (const entry of fresh) {
    const line = document.createElement("p");
    line.className = `log-line log-${entry.level}`;
    line.dataset.seq = String(entry.seq);
    if (entry.key) line.dataset.key = "";
    const marker = entry.level === "error" ? "!! " : entry.level === "warn" ? "! " : "> ";
    line.textContent = `${marker}${entry.text}`;
    log.append(line);
  }
  // The simulator says which lines its console still keeps: a key line (one that explains an
  // outcome) outlives the ordinary lines after it.
  const kept = snapshot.log_kept;
  for (const line of [...log.querySelectorAll(".log-line[data-seq]")]) {
    const from = "key" in line.dataset ? kept.key_from_seq : kept.from_seq;
    if (Number(line.dataset.seq) < from) line.remove();
  }
  log.dataset.lastSeq = String(Math.max(shown, lastSeq));
  if (pinned) log.scrollTop = log.scrollHeight;
}

function renderControls(snapshot) {
  const enabled = ui.ready;
  // A mode the learner just chose stays checked while snapshots from before it still arrive.
  const { policy, hash_type: hashType } = snapshot.config;
  const own = snapshot.own_policy?.on === true;
  renderMode(root, snapshot.mode, policy, ui.pendingMode ?? snapshot.mode, hashType, own);
  for (const radio of root.querySelectorAll("input[name=demo-mode]")) radio.disabled = !enabled;
  const byAction = (name) => root.querySelector(`[data-action="${name}"]`);
  for (const name of ["request", "reset", "compare", "copy-link", "pause", "two-tabs", "failover-store", "lesson-setup"]) {
    byAction(name).disabled = !enabled;
  }
  byAction("deploy").disabled = !enabled || Boolean(snapshot.deploy);
  // At a limit the button stays focusable (aria-disabled), so the keyboard keeps its place.
  // The simulator says what it accepts; the diagram lays out at most ui.maxServers.
  const full = !snapshot.can_add_server || snapshot.servers.length >= ui.maxServers;
  for (const [name, atLimit] of [["add-server", full], ["remove-server", !snapshot.can_remove_server]]) {
    byAction(name).disabled = !enabled;
    byAction(name).ariaDisabled = String(atLimit);
  }
  const chaos = byAction("chaos");
  chaos.disabled = !enabled;
  chaos.setAttribute("aria-checked", String(snapshot.chaos.on));
  const traffic = byAction("traffic");
  traffic.disabled = !enabled;
  traffic.setAttribute("aria-checked", String(snapshot.traffic.rate_per_s > 0));
  showRate(root.querySelector("[data-setting=traffic-rate]"), snapshot.traffic.rate_per_s);
  for (const control of root.querySelectorAll("[data-setting], input[name$=kill-kind]")) {
    control.disabled = !enabled;
  }
  root.querySelector("[data-setting=redispatch]").value = snapshot.config.redispatch;
  root.querySelector("[data-setting=store-latency]").value = String(snapshot.store.added_latency_ms);
  renderStoreSettings(snapshot.config);
  setText(root.querySelector("[data-field=cart]"), snapshot.user.cart_text);
  const cartNote = root.querySelector("[data-field=cart-note]");
  setText(cartNote, snapshot.user.cart_note ?? "");
  cartNote.hidden = snapshot.user.cart_note === null;
}

// A select shows `value`, with an option added for a value a link brought that the list lacks.
function showOption(select, value, label) {
  if (![...select.options].some((option) => option.value === value)) {
    select.append(new Option(label, value));
  }
  select.value = value;
}

// While traffic runs, the Rate select shows its rate; while it is off, it keeps the rate the
// reader last chose.
function showRate(select, rate) {
  if (rate > 0) showOption(select, String(rate), `${rate}/s`);
}

function renderStoreSettings(config) {
  const lag = config.store_replication_lag_ms;
  showOption(root.querySelector("[data-setting=replication-lag]"), String(lag), `${lag} ms`);
  root.querySelector("[data-setting=store-wait]").checked = config.store_wait;
  const timeout = config.store_wait_timeout_ms;
  showOption(root.querySelector("[data-setting=store-wait-timeout]"), String(timeout), `${timeout} ms`);
  root.querySelector("[data-setting=store-persistence]").value = config.store_persistence;
  root.querySelector("[data-setting=store-atomic]").checked = config.store_update === "atomic";
}
