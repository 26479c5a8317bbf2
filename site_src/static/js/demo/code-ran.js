// "The code that ran": the simulator's own functions (written into the page by the build,
// site_build/code_panel.py), with the lines that ran the last time each was called marked
// with <mark>. Only while the panel is open does the worker trace (bridge/tracer.js), so the
// demo's speed is unchanged when it is closed. What the worker sends is checked before use.
import { calls } from "guide/bridge/messages.js";
import { run, ui } from "guide/demo/state.js";

const details = document.getElementById("demo-code-details"); // absent in an embed
const statusLine = document.getElementById("demo-code-status");
const blocks = details ? [...details.querySelectorAll("pre[data-code]")] : [];
let tracingIn = null; // the runtime tracing for us (a restarted worker is not)
let markedFor = null; // the snapshot whose lines are marked
let asking = false;
let askAgain = false;

function keys() {
  return blocks.map((block) => block.dataset.code);
}

// {key: [line numbers]} as the worker sent it, keeping only the keys shown and whole numbers.
function checkedLines(answer) {
  const lines = new Map();
  if (!answer || typeof answer !== "object") return lines;
  for (const key of keys()) {
    const numbers = answer[key];
    if (Array.isArray(numbers)) lines.set(key, new Set(numbers.filter(Number.isInteger)));
  }
  return lines;
}

function mark(lines) {
  for (const block of blocks) {
    const ran = lines.get(block.dataset.code) ?? new Set();
    for (const line of block.querySelectorAll(".code-line")) {
      const marked = line.firstElementChild?.tagName === "MARK" && line.childElementCount === 1;
      const runs = ran.has(Number(line.dataset.line));
      if (runs && !marked) {
        const highlight = document.createElement("mark");
        highlight.append(...line.childNodes);
        line.append(highlight);
      } else if (!runs && marked) {
        line.firstElementChild.replaceWith(...line.firstElementChild.childNodes);
      }
    }
  }
}

async function ask() {
  if (asking) {
    askAgain = true;
    return;
  }
  asking = true;
  try {
    do {
      askAgain = false;
      const answer = await run.runtime.call(calls.ran, null);
      if (details.open) mark(checkedLines(JSON.parse(answer)));
    } while (askAgain && details.open);
  } catch (error) {
    statusLine.textContent = `The lines that ran could not be read: ${error.message}`;
  } finally {
    asking = false;
  }
}

async function startTracing() {
  tracingIn = run.runtime;
  await run.runtime.call(calls.trace, JSON.stringify(keys()));
  statusLine.textContent = "Tracing: send a request to see the lines that decide it.";
}

/** After each new snapshot: the lines of the last call of each function, while open. */
export function markCodeRan(snapshot) {
  if (!details || !details.open || !ui.ready || !run.runtime || snapshot === markedFor) return;
  markedFor = snapshot;
  if (tracingIn !== run.runtime) startTracing().then(ask, () => {});
  else ask();
}

export function listenForCode() {
  if (!details) return;
  details.addEventListener("toggle", () => {
    markedFor = null;
    if (details.open) {
      markCodeRan(run.snapshot);
      return;
    }
    mark(new Map());
    statusLine.textContent = "";
    if (tracingIn === run.runtime && ui.ready) {
      tracingIn = null;
      run.runtime.call(calls.trace, null).catch(() => {});
    }
  });
}
