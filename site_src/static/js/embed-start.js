// The embed page before Python is ready: it shows the mode its URL asks for, with that mode's
// balancing policy (from the simulator's defaults, which the build wrote into #embed-config),
// so a reader who waits for Start sees the run they will get. The steps, the controls and the
// theme are already applied by CSS from embed-options.js. A shared scenario brings its own mode,
// known only once the simulator has replayed it.
import { embed } from "guide/bridge/handover.js";
import { renderMode } from "guide/demo/mode.js";

const config = JSON.parse(document.getElementById("embed-config").textContent);
const mode = embed.options.mode;
if (mode !== null && !window.simSnapshot?.()) {
  renderMode(document.getElementById("demo"), mode, config.modePolicies[mode]);
}
