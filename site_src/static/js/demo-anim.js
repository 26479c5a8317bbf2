// The diagram's wires and the dots that travel them. Positions come from the laid-out boxes,
// so the same code serves a phone's vertical diagram and a desktop's horizontal one.

const SVG = "http://www.w3.org/2000/svg";

function nodeElement(diagram, id) {
  if (id === "user") return diagram.querySelector(".node-user");
  if (id === "lb") return diagram.querySelector(".node-lb");
  if (id === "store") return diagram.querySelector(".node-store");
  return diagram.querySelector(`[data-server="${id}"]`);
}

function centre(diagram, element) {
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
export function drawWires(diagram, snapshot) {
  const svg = diagram.querySelector(".wires");
  const rect = diagram.getBoundingClientRect();
  svg.setAttribute("viewBox", `0 0 ${rect.width} ${rect.height}`);
  svg.replaceChildren();
  const user = centre(diagram, nodeElement(diagram, "user"));
  const lb = centre(diagram, nodeElement(diagram, "lb"));
  const store = centre(diagram, nodeElement(diagram, "store"));
  line(svg, user, lb, "wire");
  for (const server of snapshot.servers) {
    const element = nodeElement(diagram, server.name);
    if (!element) continue;
    const at = centre(diagram, element);
    const state = server.alive ? "wire" : "wire wire-dead";
    line(svg, lb, at, state);
    if (snapshot.store.used) line(svg, at, store, `${state} wire-store`);
  }
}

// A dot walks the trace's path, one hop at a time; failures end in a cross-marked dot.
export function animateTrace(diagram, trace, hopMs) {
  const points = [];
  for (const id of trace.path) {
    const element = nodeElement(diagram, id);
    if (element) points.push(centre(diagram, element));
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
