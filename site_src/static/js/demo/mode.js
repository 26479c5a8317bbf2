// The mode and the balancing policy on show: the radios, the note, the diagram and the
// balancer. The view calls it for each snapshot; the embed page calls it before Python is
// ready, with the mode its URL asks for (embed-start.js).
import { setText } from "guide/demo/dom.js";

const POLICY_LABELS = {
  round_robin: "Round robin",
  least_connections: "Least connections",
  sticky: "Sticky cookie",
  "source:map-based": "Source hash (map-based)",
  "source:consistent": "Source hash (consistent)",
};

/** Show `mode` and `policy` (with its `hashType` for "source"); `checked` is the radio to
 * check (a mode just chosen); `own`: the learner's policy runs the balancer (exercises.js). */
export function renderMode(root, mode, policy, checked = mode, hashType = "map-based", own = false) {
  const shown = policy === "source" ? `source:${hashType}` : policy;
  for (const radio of root.querySelectorAll("input[name=demo-mode]")) radio.checked = radio.value === checked;
  for (const span of root.querySelectorAll("#demo-mode-note [data-for-mode]")) {
    span.hidden = span.dataset.forMode !== mode;
  }
  root.querySelector("#demo-diagram").dataset.mode = mode;
  root.querySelector("[data-setting=policy]").value = shown;
  setText(root.querySelector("[data-field=policy]"), own ? "Your policy" : POLICY_LABELS[shown]);
}
