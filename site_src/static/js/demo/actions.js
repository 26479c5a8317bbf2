// The reader's clicks and choices, forwarded to the simulator as actions (send.js). No
// simulation logic lives here.
import { compareModes } from "guide/demo/compare.js";
import { forgetSharedAddress, root, showNotice } from "guide/demo/page.js";
import { send } from "guide/demo/send.js";
import { copyLink, openRunFile } from "guide/demo/share.js";
import { run, ui } from "guide/demo/state.js";
import { render, renderPause } from "guide/demo/view.js";

// A reset starts the reader's own run: a shared link's pause, notice and URL no longer apply
// (a reload must not replay the old link over the reader's run).
function startOwnRun() {
  if (ui.pausedForLink) {
    ui.pausedForLink = false;
    ui.paused = false;
    renderPause(ui.paused);
  }
  showNotice("");
}

// A new mode, balancing or retry setting starts the run over with Auto traffic and Chaos
// Monkey as they were, so a teacher comparing modes need not switch them on again; the
// simulator's log says so as it turns them on. Returns the last action's promise.
function restart(config) {
  startOwnRun();
  let kept = null;
  send((current) => {
    kept = { rate: current.traffic.rate_per_s, chaos: current.chaos.on };
    return { type: "reset", config };
  });
  send(() => (kept.rate > 0 ? { type: "traffic", rate_per_s: kept.rate } : null));
  return send(() => (kept.chaos ? { type: "chaos", on: true } : null));
}

// The buttons, by their data-action.
const BUTTONS = {
  request: () => send({ type: "request" }),
  "two-tabs": () => send({ type: "request", tabs: 2 }),
  deploy: () => send({ type: "deploy" }),
  "failover-store": () => send({ type: "failover_store" }),
  reset: () => {
    startOwnRun();
    return send({ type: "reset", config: {} });
  },
  "add-server": () => send({ type: "add_server" }),
  "remove-server": () => send({ type: "remove_server" }),
  "toggle-store": () =>
    send(
      run.snapshot.store.killed
        ? { type: "restore_store" }
        : { type: "kill_store", kind: currentOption("demo-store-kill-kind") },
    ),
  "restore-primary": () => send({ type: "restore_store" }),
  chaos: () => send({ type: "chaos", on: !run.snapshot.chaos.on }),
  traffic: () => {
    const rate = Number(root.querySelector("[data-setting=traffic-rate]").value);
    return send({ type: "traffic", rate_per_s: run.snapshot.traffic.rate_per_s > 0 ? 0 : rate });
  },
  pause: () => {
    ui.paused = !ui.paused;
    ui.pausedForLink = false;
    renderPause(ui.paused);
    if (!ui.paused) showNotice("");
  },
  compare: compareModes,
  "copy-link": copyLink,
};

function currentOption(name) {
  return root.querySelector(`input[name="${name}"]:checked`)?.value;
}

function onClick(event) {
  const button = event.target.closest("button[data-action]");
  if (!button || button.disabled || button.ariaDisabled === "true" || !ui.ready) return;
  const name = button.dataset.action;
  if (name !== "copy-link" && name !== "compare") forgetSharedAddress(); // they leave the run as it is
  // The second click of a double click would undo a kill or a restart before it shows.
  if (event.detail > 1 && (name === "toggle-server" || name === "toggle-store")) return;
  if (name === "toggle-server") {
    const server = run.snapshot.servers.find((s) => s.name === button.closest("[data-server]").dataset.server);
    if (!server) return;
    if (server.alive) send({ type: "kill", server: server.name, kind: currentOption("demo-kill-kind") });
    else send({ type: "restart", server: server.name });
  } else if (BUTTONS[name]) {
    BUTTONS[name]();
  }
}

function onChange(event) {
  const target = event.target;
  if (!ui.ready || ui.replaying) return; // the run's next render shows what it holds
  const setting = target.dataset.setting;
  if (target.name === "demo-mode" || (setting && setting !== "speed")) forgetSharedAddress();
  if (target.name === "demo-mode") {
    ui.pendingMode = target.value;
    restart({ mode: target.value }).finally(() => {
      if (ui.pendingMode === target.value) ui.pendingMode = null;
      render(run.snapshot);
    });
  } else if (setting === "replication-lag") {
    send({ type: "reset", config: { store_replication_lag_ms: Number(target.value) } });
  } else if (setting === "store-wait") send({ type: "reset", config: { store_wait: target.checked } });
  else if (setting === "store-wait-timeout") {
    send({ type: "reset", config: { store_wait_timeout_ms: Number(target.value) } });
  } else if (setting === "store-persistence") {
    send({ type: "reset", config: { store_persistence: target.value } });
  }
  else if (setting === "store-atomic") {
    send({ type: "reset", config: { store_update: target.checked ? "atomic" : "read_modify_write" } });
  } else if (setting === "speed") ui.speed = Number(target.value);
  else if (setting === "redispatch") restart({ redispatch: target.value });
  else if (setting === "policy") restart({ policy: target.value });
  else if (setting === "store-latency") send({ type: "store_latency", ms: Number(target.value) });
  else if (setting === "traffic-rate" && run.snapshot.traffic.rate_per_s > 0) {
    send({ type: "traffic", rate_per_s: Number(target.value) });
  }
}

export function listenForActions() {
  root.addEventListener("click", onClick);
  root.addEventListener("change", onChange);
  root.querySelector("#demo-open-file").addEventListener("change", (event) => openRunFile(event.target));
}
