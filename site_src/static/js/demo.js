// The Chaos Monkey demo: loads the simulator, forwards the learner's actions to it, drives
// simulated time, and renders each snapshot. No simulation logic lives here.
import { startRuntime, supportsWebAssembly, formatMegabytes } from "guide/runtime.js";
import {
  render,
  renderPause,
  renderComparison,
  renderComparing,
  renderCompareHint,
  simulatedTime,
  storeKilled,
} from "guide/demo-view.js";
import { drawWires, animateTrace } from "guide/demo-anim.js";
import { renderChart } from "guide/demo-chart.js";
import { GuidedSteps, crashLesson } from "guide/demo-steps.js";
import { deployLesson, failoverLesson, twoTabsLesson } from "guide/demo-lessons.js";
import { lessonFromHash, unknownLessonNotice, hashOf } from "guide/demo-lesson-link.js";

const settle = window[Symbol.for("guide.simReady.settle")];
// On the embed page only: the checked query parameters and their notices (embed-options.js).
const embed = window[Symbol.for("guide.embed")] ?? null;
const root = document.getElementById("demo");
const status = document.getElementById("demo-status");
const progress = document.getElementById("demo-progress");
const retry = document.getElementById("demo-retry");
const startButton = document.getElementById("demo-start");
const notice = document.getElementById("demo-notice");
const diagram = document.getElementById("demo-diagram");
const shareOutput = document.getElementById("demo-share-output");
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

const ADVANCE_EVERY_MS = 100; // how often simulated time is pushed while running
const MAX_FRAME_GAP_MS = 250; // a stalled tab must not make time jump
const HOP_MS = 160; // how long a dot takes per hop at 1x

const ui = {
  ready: false,
  paused: false,
  speed: 1,
  visible: true,
  maxServers: Number(root.dataset.maxServers),
  pendingMode: null, // a mode chosen whose reset has not answered yet
  pausedForLink: false, // paused by the page to show a shared moment, not by the reader
  comparing: false, // a comparison asked for and not yet answered
  readyText: "", // what the status line says once the simulator is ready
};
let compared = null; // { time_ns, config } of the comparison on show
let runtime = null;
let snapshot = null;
let queue = Promise.resolve();
let inFlight = 0;
let lastAnimatedSeq = -1;
let settled = false;
const RULES = {
  crash: crashLesson,
  deploy: deployLesson,
  "store-failover": failoverLesson,
  "two-tabs": twoTabsLesson,
};
const outcome = document.getElementById("demo-steps-outcome");
const panels = [...root.querySelectorAll(".lesson[data-lesson]")];
const lessons = Object.fromEntries(
  panels.map((panel) => [
    panel.dataset.lesson,
    new GuidedSteps(panel.querySelector(".steps"), outcome, RULES[panel.dataset.lesson]),
  ]),
);
const FIRST_LESSON = panels[0].dataset.lesson;
// Lessons whose steps use the store settings open the settings for the learner.
const LESSONS_WITH_SETTINGS = ["store-failover", "two-tabs"];
let lesson = FIRST_LESSON;
let steps = lessons[lesson];

window.simSnapshot = () => (snapshot ? structuredClone(snapshot) : null);

function settleOnce(kind, value) {
  if (settled) return;
  settled = true;
  settle[kind](value);
}

// The embed's notices about its parameters stay; a link's unknown lesson is said until a
// lesson is chosen; the run's notices come and go beside it.
const notices = { lesson: "", run: "" };
function showNotice(text, about = "run") {
  notices[about] = text;
  const lines = [...(embed ? embed.notices : []), notices.lesson, notices.run].filter(Boolean);
  notice.textContent = lines.join(" ");
  notice.hidden = !lines.length;
}

// ---------------------------------------------------------------- loading

function showLoadError(message, canRetry) {
  status.textContent = message;
  progress.hidden = true;
  retry.hidden = !canRetry;
  root.dataset.state = "failed";
  settleOnce("reject", new Error(message));
}

function load() {
  if (runtime) runtime.stop();
  retry.hidden = true;
  progress.hidden = false;
  progress.removeAttribute("value"); // indeterminate until the first bytes arrive
  status.textContent = "Loading the simulator…";
  if (!snapshot) showFirstLogLine(status.textContent);
  root.dataset.state = "loading";
  runtime = startRuntime({
    onProgress(loaded, total) {
      progress.max = total;
      progress.value = loaded;
      status.textContent = `Downloading Python: ${formatMegabytes(loaded)} of ${formatMegabytes(total)}`;
    },
    onStarting() {
      progress.removeAttribute("value");
      status.textContent = "Starting Python…";
    },
    onReady(version) {
      start(version).catch((error) => showLoadError(`The simulator could not start. ${error.message}`, true));
    },
    onError(message) {
      ui.ready = false;
      if (snapshot) render(root, snapshot, ui);
      showLoadError(`The simulator could not start. ${message}`, true);
    },
  });
}

// The scenario parameter is handed to the simulator's parser as a string, never to HTML.
// An empty one (`?scenario=`) shares nothing: the demo starts as if it were absent.
function sharedScenario() {
  const value = embed ? embed.options.scenario : new URLSearchParams(location.search).get("scenario");
  return value && value.trim() ? value : null;
}

async function start(version) {
  const shared = sharedScenario();
  let replayed = false;
  if (shared !== null) {
    try {
      snapshot = JSON.parse(await runtime.call("load", shared, showReplayProgress("the shared run")));
      replayed = true;
    } catch (error) {
      showNotice(`The link’s scenario could not be used: ${error.message}. The demo starts from the defaults instead.`);
    }
  }
  if (!replayed) snapshot = JSON.parse(await runtime.call("load", null));
  if (!replayed && embed?.options.mode) {
    const reset = { type: "reset", config: { mode: embed.options.mode } };
    snapshot = JSON.parse(await runtime.call("apply", JSON.stringify(reset)));
  }
  ui.ready = true;
  root.querySelector("#demo-open-file").disabled = false;
  ui.paused = replayed; // a shared moment stays put until the reader resumes
  ui.pausedForLink = replayed;
  if (replayed) {
    const earlier = snapshot.scenario_notice ? ` ${snapshot.scenario_notice}` : "";
    showNotice(`Replayed a shared scenario. Press Resume to let time run on.${earlier}`);
  }
  lastAnimatedSeq = snapshot.traces.length ? snapshot.traces[snapshot.traces.length - 1].seq : -1;
  ui.readyText = `Simulator ready (sim ${version}). Select a mode and send a request.`;
  status.textContent = ui.readyText;
  progress.hidden = true;
  root.dataset.state = "ready";
  renderAll();
  renderPause(root, ui.paused);
  steps.render();
  settleOnce("resolve", version);
}

// A long link or file replays for seconds: say so, with how much of its simulated time is done.
function showReplayProgress(what) {
  return ({ done_ns, total_ns }) => {
    if (!total_ns) return;
    progress.hidden = false;
    progress.max = total_ns;
    progress.value = done_ns;
    status.textContent = `Replaying ${what}: ${simulatedTime(done_ns, total_ns)} of ${simulatedTime(total_ns)} of simulated time`;
  };
}

// ---------------------------------------------------------------- actions

// `action` is an action, or a function of the current snapshot that returns one (or null for
// none), for an action that depends on what the actions queued before it did.
function send(action) {
  if (!ui.ready) return Promise.resolve();
  inFlight += 1;
  const job = queue.then(async () => {
    const before = snapshot;
    if (typeof action === "function") action = action(before);
    if (!action) return;
    try {
      snapshot = JSON.parse(await runtime.call("apply", JSON.stringify(action)));
    } catch (error) {
      showNotice(`That did not work: ${error.message}`);
      return;
    }
    renderAll();
    steps.observe(action, before, snapshot); // a kill by Chaos Monkey shows in an advance
    if (action.type !== "advance") shareOutput.textContent = "";
  });
  queue = job.finally(() => {
    inFlight -= 1;
  });
  return job;
}

let wiresKey = "";

function renderAll() {
  render(root, snapshot, ui);
  clearStaleComparison();
  renderChart(document.getElementById("demo-chart"), snapshot.series);
  // Wires depend only on which servers exist and live, and on the mode; measuring the boxes
  // forces a layout, so skip it when nothing they show has changed (resizes redraw too).
  const key = `${snapshot.store.used}|${snapshot.servers.map((s) => s.name + s.alive).join()}`;
  if (key !== wiresKey) {
    wiresKey = key;
    drawWires(diagram, snapshot);
  }
  animateNewTraces();
}

function animateNewTraces() {
  const fresh = snapshot.traces.filter((trace) => trace.seq > lastAnimatedSeq);
  if (!fresh.length) return;
  lastAnimatedSeq = fresh[fresh.length - 1].seq;
  if (reducedMotion.matches || !ui.visible) return;
  const hopMs = HOP_MS / Math.sqrt(ui.speed);
  // The learner's own requests always show; background traffic is sampled so it stays legible.
  const you = snapshot.user.id;
  const shown = [...fresh.filter((t) => t.user === you), ...fresh.filter((t) => t.user !== you).slice(-3)];
  for (const trace of shown) animateTrace(diagram, trace, hopMs);
}

function currentOption(name) {
  return root.querySelector(`input[name="${name}"]:checked`)?.value;
}

// A reset starts the reader's own run: a shared link's pause, notice and URL no longer apply
// (a reload must not replay the old link over the reader's run).
function startOwnRun() {
  if (ui.pausedForLink) {
    ui.pausedForLink = false;
    ui.paused = false;
    renderPause(root, ui.paused);
  }
  showNotice("");
  if (!embed && new URLSearchParams(location.search).has("scenario")) {
    const url = new URL(location.href);
    url.searchParams.delete("scenario");
    history.replaceState(history.state, "", url.href);
  }
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

const actions = {
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
  "toggle-store": () => send({ type: storeKilled(snapshot) ? "restore_store" : "kill_store" }),
  "restore-primary": () => send({ type: "restore_store" }),
  chaos: () => send({ type: "chaos", on: !snapshot.chaos.on }),
  traffic: () => {
    const rate = Number(root.querySelector("[data-setting=traffic-rate]").value);
    return send({ type: "traffic", rate_per_s: snapshot.traffic.rate_per_s > 0 ? 0 : rate });
  },
  pause: () => {
    ui.paused = !ui.paused;
    ui.pausedForLink = false;
    renderPause(root, ui.paused);
    if (!ui.paused) showNotice("");
  },
  compare: async () => {
    if (ui.comparing) return; // one comparison at a time: a second click starts nothing
    ui.comparing = true;
    performance.mark("compare-asked");
    renderComparing(root, { done_ns: 0, total_ns: 0 });
    try {
      await queue;
      const result = JSON.parse(await runtime.call("compare", null, (p) => renderComparing(root, p)));
      const labels = Object.fromEntries(snapshot.modes.map((mode) => [mode.id, mode.label]));
      compared = { time_ns: result.time_ns, config: JSON.stringify(snapshot.config) };
      renderComparison(root, result, labels);
      clearStaleComparison();
    } catch (error) {
      showNotice(`The comparison did not run: ${error.message}`);
    } finally {
      ui.comparing = false;
      renderComparing(root, null);
    }
  },
  "copy-link": async () => {
    await queue;
    if (!snapshot.scenario_shareable) {
      offerFile();
      return;
    }
    const url = new URL(embed ? embed.guideURL : location.href, location.href); // the full guide
    url.search = new URLSearchParams({ scenario: snapshot.scenario }).toString();
    url.hash = hashOf(lesson, FIRST_LESSON);
    try {
      await navigator.clipboard.writeText(url.href);
      shareOutput.textContent = "Link copied. It replays this run, action by action.";
    } catch {
      shareOutput.textContent = `Copy this link: ${url.href}`;
    }
  },
};

// A comparison belongs to one run: once a reset or a mode switch has started another (time
// went back, or the settings changed), it goes.
function clearStaleComparison() {
  if (!compared) return;
  if (snapshot.time_ns >= compared.time_ns && JSON.stringify(snapshot.config) === compared.config) return;
  forgetComparison();
}

function forgetComparison() {
  compared = null;
  root.querySelector("#demo-compare").hidden = true;
}

// A run too long for a link can still be kept whole: as a file, which "Open a run file" replays.
let savedRunURL = null;
function offerFile() {
  if (!snapshot.scenario_savable) {
    shareOutput.textContent = "This run is too long to share or save. Reset and try a shorter one.";
    return;
  }
  const file = new Blob([snapshot.scenario + "\n"], { type: "text/plain" });
  const link = document.createElement("a");
  if (savedRunURL) URL.revokeObjectURL(savedRunURL); // the run offered before this one
  savedRunURL = link.href = URL.createObjectURL(file);
  link.download = "chaos-monkey-run.txt";
  link.textContent = "Download this run as a file";
  shareOutput.replaceChildren(
    `This run is too long for a link (${snapshot.scenario.length.toLocaleString("en")} characters; a link holds ${snapshot.scenario_link_limit.toLocaleString("en")}). `,
    link,
    ". “Open a run file” replays it, here or on another computer.",
  );
}

async function openRunFile(input) {
  const [file] = input.files;
  input.value = "";
  if (!file || !ui.ready) return;
  let text;
  try {
    text = await file.text();
  } catch {
    showNotice("The file could not be read.");
    return;
  }
  ui.paused = true; // the replayed moment stays put, as a shared link's does
  ui.pausedForLink = true;
  renderPause(root, true);
  await queue;
  try {
    snapshot = JSON.parse(await runtime.call("load-file", text, showReplayProgress("the run from the file")));
  } catch (error) {
    showNotice(`The file could not be used (${error.message}). The demo is as it was.`);
    return;
  } finally {
    progress.hidden = true;
    status.textContent = ui.readyText;
  }
  forgetComparison();
  showNotice("Replayed the run from the file. Press Resume to let time run on.");
  lastAnimatedSeq = snapshot.traces.length ? snapshot.traces[snapshot.traces.length - 1].seq : -1;
  renderAll();
}

root.querySelector("#demo-open-file").addEventListener("change", (event) => openRunFile(event.target));

root.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button || button.disabled || button.ariaDisabled === "true" || !ui.ready) return;
  const name = button.dataset.action;
  // The second click of a double click would undo a kill or a restart before it shows.
  if (event.detail > 1 && (name === "toggle-server" || name === "toggle-store")) return;
  if (name === "toggle-server") {
    const server = snapshot.servers.find((s) => s.name === button.closest("[data-server]").dataset.server);
    if (!server) return;
    if (server.alive) send({ type: "kill", server: server.name, kind: currentOption("demo-kill-kind") });
    else send({ type: "restart", server: server.name });
  } else if (actions[name]) {
    actions[name]();
  }
});

root.addEventListener("change", (event) => {
  const target = event.target;
  if (!ui.ready) return;
  if (target.name === "demo-mode") {
    ui.pendingMode = target.value;
    restart({ mode: target.value }).finally(() => {
      if (ui.pendingMode === target.value) ui.pendingMode = null;
      render(root, snapshot, ui);
    });
  }
  else if (target.name === "demo-prediction") lessons[FIRST_LESSON].predict(target.value);
  else if (target.name.startsWith("demo-prediction-")) lessons[target.name.slice(16)]?.predict(target.value);
  else if (target.dataset.setting === "replication-lag") {
    send({ type: "reset", config: { store_replication_lag_ms: Number(target.value) } });
  } else if (target.dataset.setting === "store-wait") send({ type: "reset", config: { store_wait: target.checked } });
  else if (target.dataset.setting === "store-atomic") {
    send({ type: "reset", config: { store_update: target.checked ? "atomic" : "read_modify_write" } });
  }
  else if (target.dataset.setting === "speed") ui.speed = Number(target.value);
  else if (target.dataset.setting === "redispatch") restart({ redispatch: target.checked });
  else if (target.dataset.setting === "policy") restart({ policy: target.value });
  else if (target.dataset.setting === "store-latency") send({ type: "store_latency", ms: Number(target.value) });
  else if (target.dataset.setting === "traffic-rate" && snapshot.traffic.rate_per_s > 0) {
    send({ type: "traffic", rate_per_s: Number(target.value) });
  }
});

// ---------------------------------------------------------------- time

let lastFrame = null;
let owedMs = 0;

function running() {
  return ui.ready && !ui.paused && ui.visible && document.visibilityState === "visible";
}

function tick(now) {
  requestAnimationFrame(tick);
  const gap = lastFrame === null ? 0 : Math.min(now - lastFrame, MAX_FRAME_GAP_MS);
  lastFrame = now;
  if (!running()) {
    owedMs = 0;
    return;
  }
  owedMs += gap;
  // One advance at a time: if the worker is busy, time waits rather than piling up.
  if (owedMs >= ADVANCE_EVERY_MS && inFlight === 0) {
    const ns = Math.round(owedMs * ui.speed * 1e6);
    owedMs = 0;
    send({ type: "advance", ns });
  }
}
requestAnimationFrame(tick);

new IntersectionObserver((entries) => {
  ui.visible = entries[entries.length - 1].isIntersecting;
}).observe(root);

new ResizeObserver(() => {
  if (snapshot) drawWires(diagram, snapshot);
}).observe(diagram);
new ResizeObserver(() => renderCompareHint(root)).observe(root.querySelector("#demo-compare"));

retry.addEventListener("click", load);

for (const radio of root.querySelectorAll("input[name^=demo-prediction]")) radio.disabled = false;

// ---------------------------------------------------------------- lessons

function showLesson(id) {
  lesson = id;
  steps = lessons[id];
  for (const panel of panels) panel.hidden = panel.dataset.lesson !== id;
  for (const radio of root.querySelectorAll("input[name=demo-lesson]")) radio.checked = radio.value === id;
  if (LESSONS_WITH_SETTINGS.includes(id)) root.querySelector(".demo-settings").open = true;
  outcome.textContent = "";
  steps.render();
}

// A link to a lesson (#lesson-deploy) opens it and brings the demo into view.
function followLessonLink() {
  const link = lessonFromHash(location.hash, Object.keys(lessons));
  if (link === null) return;
  if (link.unknown !== undefined) {
    const labels = Object.fromEntries(
      [...root.querySelectorAll("input[name=demo-lesson]")].map((r) => [r.value, r.parentElement.textContent.trim()]),
    );
    showNotice(unknownLessonNotice(link.unknown, labels), "lesson");
    showLesson(FIRST_LESSON);
  } else {
    showNotice("", "lesson");
    showLesson(link.id);
  }
  root.scrollIntoView({ block: "start" });
}

root.addEventListener("change", (event) => {
  if (event.target.name !== "demo-lesson") return;
  showNotice("", "lesson");
  showLesson(event.target.value);
  // The address follows the lesson, so it can be shared; the wizard's history state is kept.
  const url = new URL(location.href);
  url.hash = hashOf(lesson, FIRST_LESSON);
  history.replaceState(history.state, "", url.href);
});
window.addEventListener("hashchange", followLessonLink);

// Start the worker at once, or, in an embed, when the demo first comes into view or when the
// reader asks: a docs page with five embeds starts only the ones a reader reaches.
function showWaiting(text) {
  status.textContent = text;
  progress.hidden = true;
  showFirstLogLine(text);
}

// Until the simulator's own log arrives, the log says what the demo is doing.
function showFirstLogLine(text) {
  document.querySelector("#demo-log .log-line").textContent = `> ${text}`;
}

function startWhenVisible(element) {
  showWaiting("The demo starts when it comes into view.");
  const observer = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    observer.disconnect();
    load();
  });
  observer.observe(element);
}

function startOnRequest() {
  showWaiting("The demo downloads Python and runs the simulator in your browser when you start it.");
  startButton.hidden = false;
  startButton.addEventListener("click", () => {
    startButton.hidden = true;
    status.tabIndex = -1; // keep the keyboard's place: the button it was on is gone
    status.focus();
    load();
  }, { once: true });
}

showNotice("");
followLessonLink();
if (supportsWebAssembly()) {
  if (!embed) load();
  else if (embed.options.autostart) startWhenVisible(root);
  else startOnRequest();
} else {
  showLoadError(
    "The simulator could not start. This browser has no WebAssembly, which the demo needs to run Python. The rest of the guide works as usual.",
    false,
  );
}
