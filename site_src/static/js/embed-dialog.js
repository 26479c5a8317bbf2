// "Embed this demo": a dialog that builds the code a documentation page pastes to show the
// demo in an iframe, from the demo's current state, the options chosen in the dialog and the
// documentation tool (embed-snippets.js writes the code). The parameters and their defaults
// come from the table the build wrote (#embed-config), the same one the embed page checks its
// URL against (embed-options.js).
import { TOOLS, snippetFor } from "guide/embed-snippets.js";

const config = JSON.parse(document.getElementById("embed-config").textContent);
const opener = document.getElementById("embed-open");
const dialog = document.getElementById("embed-dialog");
const form = dialog.querySelector("form");
const code = document.getElementById("embed-code");
const hint = document.getElementById("embed-code-hint");
const configPart = document.getElementById("embed-config-part");
const configCode = document.getElementById("embed-config-code");
const copyStatus = document.getElementById("embed-copy-status");

/** The embed page's URL for these choices; options at their default are left out. */
function embedURL(start, choices) {
  const url = new URL(config.pageURL, location.href);
  const params = new URLSearchParams(start);
  for (const [name, value] of Object.entries(choices)) {
    if (value !== config.options[name][0]) params.set(name, value);
  }
  url.search = params.toString();
  return url.href;
}

function addToolChoices() {
  const fieldset = form.querySelector(".embed-tools");
  for (const [id, label] of Object.entries(TOOLS)) {
    const radio = Object.assign(document.createElement("input"), { type: "radio", name: "tool", value: id });
    radio.checked = id === "html";
    const wrapper = document.createElement("label");
    wrapper.append(radio, ` ${label}`);
    fieldset.append(wrapper);
  }
}

// The demo's state: its snapshot once the simulator runs, else the mode picked on the page.
function currentState() {
  const snapshot = window.simSnapshot ? window.simSnapshot() : null;
  if (snapshot) return snapshot;
  const radio = document.querySelector("input[name=demo-mode]:checked");
  return { mode: radio.value, mode_label: radio.parentElement.textContent.trim(), scenario: null };
}

function update() {
  const state = currentState();
  const fromRun = form.elements.start.value === "scenario" && state.scenario_shareable;
  const choices = {
    steps: form.elements.steps.checked ? "1" : "0",
    controls: form.elements.compact.checked ? "compact" : "full",
    theme: form.elements.theme.value,
    autostart: form.elements.autostart.checked ? "1" : "0",
  };
  const start = fromRun ? { scenario: state.scenario } : { mode: state.mode };
  const urls = {
    pageURL: embedURL(start, choices),
    scriptURL: new URL(config.scriptURL, location.href).href,
  };
  const snippet = snippetFor(form.elements.tool.value, urls);
  code.value = snippet.page;
  hint.textContent = snippet.hint;
  configPart.hidden = snippet.config === null;
  configCode.value = snippet.config ?? "";
  dialog.querySelector("[data-field=embed-config-file]").textContent = snippet.configFile ?? "";
  copyStatus.textContent = "";
}

function open() {
  const state = currentState();
  dialog.querySelector("[data-field=embed-mode]").textContent = state.mode_label;
  const fromRun = form.querySelector("input[name=start][value=scenario]");
  fromRun.disabled = !state.scenario_shareable;
  if (fromRun.disabled) form.querySelector("input[name=start][value=mode]").checked = true;
  dialog.querySelector("[data-field=embed-scenario-note]").textContent = !state.scenario
    ? "Available once the simulator has started."
    : state.scenario_shareable
      ? `The embed replays your actions and opens paused at ${(state.time_ns / 1e9).toFixed(1)} s of simulated time.`
      : "This run is too long to embed; reset the demo and try a shorter one.";
  update();
  dialog.showModal();
}

async function copy(box) {
  try {
    await navigator.clipboard.writeText(box.value);
    copyStatus.textContent = "Copied.";
  } catch {
    box.focus();
    box.select();
    copyStatus.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy.";
  }
}

addToolChoices();
form.addEventListener("change", update);
for (const button of dialog.querySelectorAll("[data-embed-action=copy]")) {
  button.addEventListener("click", () => copy(document.getElementById(button.dataset.copies)));
}
opener.addEventListener("click", open);
opener.hidden = false;
