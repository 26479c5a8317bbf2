// The diagram's wires and the dots that travel them. Positions come from the laid-out boxes,
// so the same code serves a phone's vertical diagram and a desktop's horizontal one.
import { diagram } from "guide/demo/page.js";
import { ui } from "guide/demo/state.js";

const SVG = "http://www.w3.org/2000/svg";
const HOP_MS = 160; // how long a dot takes per hop at 1x
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
let lastAnimatedSeq = -1; // the newest trace a dot has been shown for
let wiresKey = ""; // what the wires drawn last showed

function nodeElement(id) {
  if (id === "user") return diagram.querySelector(".node-user");
  if (id === "lb") return diagram.querySelector(".node-lb");
  if (id === "store") return diagram.querySelector(".node-store");
  return diagram.querySelector(`[data-server="${id}"]`);
}

function centre(element) {
  const outer = diagram.getBoundingClientRect();
  const box = element.getBoundingClientRect();
  return { x: box.left - outer.left + box.width / 2, y: box.top - outer.top + box.height / 2 };
}

function line(svg, from, to, className) {
  const wire = document.createElementNS(SVG, "line");
  wire.setAttribute("x1", from.x);
  wire.setAttribute("y1", from.y);
  wire.setAttribute("x2", to.x);
  wire.setAttribute("y2", to.y);
  wire.setAttribute("class", className);
  svg.append(wire);
}

// Wires: user to balancer, balancer to each server, and each server to the store when the
// mode keeps state there. A dead server's wires are dashed.
export function drawWires(snapshot) {
  const svg = diagram.querySelector(".wires");
  const rect = diagram.getBoundingClientRect();
  svg.setAttribute("viewBox", `0 0 ${rect.width} ${rect.height}`);
  svg.replaceChildren();
  const user = centre(nodeElement("user"));
  const lb = centre(nodeElement("lb"));
  const store = centre(nodeElement("store"));
  line(svg, user, lb, "wire");
  for (const server of snapshot.servers) {
    const element = nodeElement(server.name);
    if (!element) continue;
    const at = centre(element);
    const state = server.alive ? "wire" : "wire wire-dead";
    line(svg, lb, at, state);
    if (snapshot.store.used) line(svg, at, store, `${state} wire-store`);
  }
}

// Wires depend only on which servers exist and live, and on the mode; measuring the boxes
// forces a layout, so skip it when nothing they show has changed (resizes redraw too).
export function drawWiresIfChanged(snapshot) {
  const key = `${snapshot.store.used}|${snapshot.servers.map((s) => s.name + s.alive).join()}`;
  if (key === wiresKey) return;
  wiresKey = key;
  drawWires(snapshot);
}

/** A replayed run's requests are history: no dots for the traces it arrives with. */
export function skipTracesSoFar(snapshot) {
  lastAnimatedSeq = snapshot.traces.length ? snapshot.traces[snapshot.traces.length - 1].seq : -1;
}

// A dot for each request the simulator answered since the last snapshot.
export function animateNewTraces(snapshot) {
  const fresh = snapshot.traces.filter((trace) => trace.seq > lastAnimatedSeq);
  if (!fresh.length) return;
  lastAnimatedSeq = fresh[fresh.length - 1].seq;
  if (reducedMotion.matches || !ui.visible) return;
  const hopMs = HOP_MS / Math.sqrt(ui.speed);
  // The learner's own requests always show; background traffic is sampled so it stays legible.
  const you = snapshot.user.id;
  const shown = [...fresh.filter((t) => t.user === you), ...fresh.filter((t) => t.user !== you).slice(-3)];
  for (const trace of shown) animateTrace(trace, hopMs);
}

// A dot walks the trace's path, one hop at a time; failures end in a cross-marked dot.
function animateTrace(trace, hopMs) {
  const points = [];
  for (const id of trace.path) {
    const element = nodeElement(id);
    if (element) points.push(centre(element));
  }
  if (points.length < 2) return;
  const dot = document.createElement("span");
  dot.className = `packet packet-${trace.outcome}`;
  dot.setAttribute("aria-hidden", "true");
  diagram.append(dot);
  const frames = points.map((p) => ({ transform: `translate(${p.x - 6}px, ${p.y - 6}px)` }));
  const animation = dot.animate(frames, {
    duration: hopMs * (points.length - 1),
    easing: "linear",
    fill: "forwards",
  });
  const remove = () => dot.remove();
  animation.onfinish = () => setTimeout(remove, trace.outcome === "ok" ? 0 : 600);
  animation.oncancel = remove;
}
