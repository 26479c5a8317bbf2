// Simulated time: while the demo runs and shows, each animation frame owes the simulator the
// time that passed, sent as one "advance" at most every ADVANCE_EVERY_MS.
import { send } from "guide/demo/send.js";
import { root } from "guide/demo/page.js";
import { run, ui } from "guide/demo/state.js";

const ADVANCE_EVERY_MS = 100; // how often simulated time is pushed while running
const MAX_FRAME_GAP_MS = 250; // a stalled tab must not make time jump

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
  if (owedMs >= ADVANCE_EVERY_MS && run.inFlight === 0) {
    const ns = Math.round(owedMs * ui.speed * 1e6);
    owedMs = 0;
    send({ type: "advance", ns });
  }
}

export function startClock() {
  requestAnimationFrame(tick);
  // Time stands still while the demo is scrolled out of view.
  new IntersectionObserver((entries) => {
    ui.visible = entries[entries.length - 1].isIntersecting;
  }).observe(root);
}
