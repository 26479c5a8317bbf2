// The diagram's wires and the dots that travel them. Positions come from the laid-out boxes,
// so the same code serves a phone's vertical diagram and a desktop's horizontal one.
import { diagram } from "guide/demo/page.js";
import { ui } from "guide/demo/state.js";
import { planWires, rectOf } from "guide/demo/wires.js";

const SVG = "http://www.w3.org/2000/svg";
const HOP_MS = 160; // how long a dot takes per hop at 1x
// At most this many background dots in flight: at 200 requests/s about 40 walked at once, and
// Chromium recalculates every animated dot's style on every frame (bench/README.md, "Frames
// under Auto traffic"). A sample keeps the page at its idle frame rate; yours always show.
// The number is the diagram's data-background-dots (_demo.html), where the tests read it too.
const BACKGROUND_DOTS_MAX = Number(diagram.dataset.backgroundDots);
const SAMPLED_HINT_MS = 3000; // the "sample" note stays this long after a dot was left out
let hintTimer = 0;
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
let lastAnimatedSeq = -1; // the newest trace a dot has been shown for
let wiresKey = ""; // what the wires drawn last showed
// The routes and box centres as the wires were last drawn. Boxes move only when a box, a column
// or the diagram changes size, and then the wires are drawn again (followBoxes), so the dots
// reuse them: measuring for every snapshot's dots would force a layout after its writes.
// view.js draws the wires (when they changed) before it animates a snapshot's dots.
let geometry = null;

function nodeElement(id) {
  if (id === "user") return diagram.querySelector(".node-user");
  if (id === "lb") return diagram.querySelector(".node-lb");
  if (id === "store") return diagram.querySelector(".node-store");
  return diagram.querySelector(`[data-server="${id}"]`);
}

// Every box's centre, measured with the wires' routes.
function centres() {
  const outer = diagram.getBoundingClientRect();
  const found = new Map();
  const boxes = ["user", "lb", "store"].map((id) => [id, nodeElement(id)]);
  for (const element of diagram.querySelectorAll("[data-server]")) {
    boxes.push([element.dataset.server, element]);
  }
  for (const [id, element] of boxes) {
    if (!element) continue;
    const box = element.getBoundingClientRect();
    const x = box.left - outer.left + box.width / 2;
    found.set(id, { x, y: box.top - outer.top + box.height / 2 });
  }
  return found;
}

// The routes of the wires as the boxes are laid out now (wires.js), for the wires and dots.
function plan() {
  const outer = diagram.getBoundingClientRect();
  const rects = new Map();
  for (const element of diagram.querySelectorAll("[data-server]")) {
    rects.set(element.dataset.server, rectOf(element, outer));
  }
  const [user, lb, store] = ["user", "lb", "store"].map((id) => rectOf(nodeElement(id), outer));
  return planWires({ user, lb, store, servers: rects });
}

function polyline(svg, points, className) {
  const wire = document.createElementNS(SVG, "polyline");
  wire.setAttribute("points", points.map((p) => `${p.x},${p.y}`).join(" "));
  wire.setAttribute("class", className);
  svg.append(wire);
}

// The wires (and the dots' routes) follow the boxes: a box, a column or the diagram that grows
// or shrinks moves the boxes beside it. Boxes added later are observed when the wires are drawn.
let wiresSnapshot = null; // the snapshot the wires were drawn for
const boxesMoved = new ResizeObserver(() => {
  if (wiresSnapshot) drawWires(wiresSnapshot);
});

export function followBoxes() {
  for (const element of [diagram, ...diagram.querySelectorAll(".cluster-col")]) boxesMoved.observe(element);
}

// Wires: user to balancer, balancer to each server, and each server to the store when the
// mode keeps state there. A dead server's wires are dashed.
function drawWires(snapshot) {
  const svg = diagram.querySelector(".wires");
  const rect = diagram.getBoundingClientRect();
  svg.setAttribute("viewBox", `0 0 ${rect.width} ${rect.height}`);
  svg.replaceChildren();
  const routes = plan();
  geometry = { routes, at: centres() };
  wiresSnapshot = snapshot;
  for (const element of diagram.querySelectorAll(".node")) boxesMoved.observe(element);
  polyline(svg, routes.user, "wire");
  for (const server of snapshot.servers) {
    if (!nodeElement(server.name)) continue;
    const state = server.alive ? "wire" : "wire wire-dead";
    polyline(svg, routes.lbTo(server.name), state);
    if (snapshot.store.used) polyline(svg, routes.toStore(server.name), `${state} wire-store`);
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
  const others = fresh.filter((t) => t.user !== you);
  // Counted in the page, not tallied: a dot removed by anything else frees its place too.
  const inFlight = diagram.querySelectorAll(".packet:not(.packet-yours)").length;
  const room = Math.max(0, BACKGROUND_DOTS_MAX - inFlight);
  const shownOthers = room ? others.slice(-Math.min(3, room)) : [];
  if (shownOthers.length < others.length) showSampledHint();
  for (const trace of fresh.filter((t) => t.user === you)) animateTrace(trace, hopMs, true);
  for (const trace of shownOthers) animateTrace(trace, hopMs, false);
}

// The caption's note that the dots show a sample of the requests, while some are left out.
function showSampledHint() {
  const hint = document.getElementById("demo-dots-sampled");
  if (hint.hidden) hint.hidden = false;
  clearTimeout(hintTimer);
  hintTimer = setTimeout(() => (hint.hidden = true), SAMPLED_HINT_MS);
}

const isServer = (id) => id !== "user" && id !== "lb" && id !== "store";

// The bends a dot passes on one hop along its wire (none joins two servers). A wire's ends sit
// on box edges in line with the box's centre, where a dot starts and ends, so they are left out.
function bends(routes, from, to) {
  const route = (points) => points.slice(1, -1);
  const back = (points) => route(points).reverse();
  if (from === "lb" && isServer(to)) return route(routes.lbTo(to));
  if (isServer(from) && to === "lb") return back(routes.lbTo(from));
  if (isServer(from) && to === "store") return route(routes.toStore(from));
  if (from === "store" && isServer(to)) return back(routes.toStore(to));
  return []; // user and balancer: a straight wire
}

// Keyframes from box centre to box centre along the wires: each hop takes the same time,
// spread over its bends by length.
function keyframes(ids, routes, at) {
  const frames = [];
  const hops = ids.length - 1;
  for (let i = 0; i < hops; i++) {
    const points = [at.get(ids[i]), ...bends(routes, ids[i], ids[i + 1]), at.get(ids[i + 1])];
    const lengths = points.slice(1).map((p, j) => Math.hypot(p.x - points[j].x, p.y - points[j].y));
    const total = lengths.reduce((sum, length) => sum + length, 0) || 1;
    let walked = 0;
    points.forEach((p, j) => {
      if (j > 0) walked += lengths[j - 1];
      if (j === 0 && i > 0) return; // the previous hop ended here
      frames.push({ transform: `translate(${p.x - 6}px, ${p.y - 6}px)`, offset: (i + walked / total) / hops });
    });
  }
  return frames;
}

// A dot walks the trace's path, one hop at a time; failures end in a cross-marked dot.
function animateTrace(trace, hopMs, yours) {
  const { routes, at } = geometry;
  const ids = trace.path.filter((id) => at.has(id));
  if (ids.length < 2) return;
  const frames = keyframes(ids, routes, at);
  const dot = document.createElement("span");
  dot.className = `packet packet-${trace.outcome}${yours ? " packet-yours" : ""}`;
  dot.setAttribute("aria-hidden", "true");
  // Where its walk starts, for any frame painted before the animation takes over (else the
  // dot would flash at the diagram's corner, as a screenshot under traffic once showed).
  dot.style.transform = frames[0].transform;
  diagram.append(dot);
  const animation = dot.animate(frames, {
    duration: hopMs * (ids.length - 1),
    easing: "linear",
    fill: "forwards",
  });
  const remove = () => dot.remove();
  animation.onfinish = () => setTimeout(remove, trace.outcome === "ok" ? 0 : 600);
  animation.oncancel = remove;
}
