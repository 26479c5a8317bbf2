// Where the diagram's wires run: between the boxes, never across one. The diagram is a row of
// stages (user and balancer, the servers, the store) that flows left to right on a wide screen
// and top to bottom on a phone, where the servers wrap into several lanes. A wire leaves a box
// by the side facing the next stage, runs along the gap between two stages (a channel), and
// crosses a lane of servers only through the gap between two of them. The routes are worked
// out in flow coordinates (`a` along the flow, `b` across it) and turned back into x and y.

const EDGE_GAP_PX = 6; // how far outside a lane's end a wire passes when the lane has no gap

/** A box's rectangle relative to the diagram: {x0, y0, x1, y1}. */
export function rectOf(element, outer) {
  const box = element.getBoundingClientRect();
  return {
    x0: box.left - outer.left,
    y0: box.top - outer.top,
    x1: box.right - outer.left,
    y1: box.bottom - outer.top,
  };
}

function toFlow(r, across) {
  return across
    ? { a0: r.x0, a1: r.x1, b0: r.y0, b1: r.y1, b: (r.y0 + r.y1) / 2 }
    : { a0: r.y0, a1: r.y1, b0: r.x0, b1: r.x1, b: (r.x0 + r.x1) / 2 };
}

// Servers whose extents along the flow overlap share a lane; each lane's boxes run across it.
function lanesOf(servers) {
  const lanes = [];
  for (const box of [...servers].sort((p, q) => p.a0 - q.a0)) {
    const lane = lanes.at(-1);
    if (lane && box.a0 < lane.a1) {
      lane.boxes.push(box);
      lane.a1 = Math.max(lane.a1, box.a1);
    } else {
      lanes.push({ a0: box.a0, a1: box.a1, boxes: [box] });
    }
  }
  for (const lane of lanes) {
    const boxes = lane.boxes.sort((p, q) => p.b0 - q.b0);
    lane.gaps = boxes.slice(1).map((box, i) => (boxes[i].b1 + box.b0) / 2);
    if (!lane.gaps.length) lane.gaps = [boxes[0].b0 - EDGE_GAP_PX, boxes.at(-1).b1 + EDGE_GAP_PX];
  }
  return lanes;
}

function nearest(values, target) {
  return values.reduce((best, v) => (Math.abs(v - target) < Math.abs(best - target) ? v : best));
}

/**
 * The wires' routes, from the laid-out boxes' rectangles ({user, lb, store, servers: Map of
 * name to rectangle}): {user: points, lbTo: name => points, toStore: name => points}, each a
 * list of {x, y} from one box's edge to the other's.
 */
export function planWires({ user, lb, store, servers }) {
  // Wide screens put the servers to the right of the balancer; phones put them below it.
  const across = [...servers.values()].every((r) => r.x0 >= lb.x1);
  const flow = (r) => toFlow(r, across);
  const point = (a, b) => (across ? { x: a, y: b } : { x: b, y: a });
  const [u, l, s] = [flow(user), flow(lb), flow(store)];
  const boxes = new Map([...servers].map(([name, r]) => [name, flow(r)]));
  const lanes = lanesOf(boxes.values());
  // channels[i] runs before lane i; the last one, between the last lane and the store.
  const edges = [Math.max(u.a1, l.a1), ...lanes.flatMap((lane) => [lane.a0, lane.a1]), s.a0];
  const channels = [];
  for (let i = 0; i < edges.length; i += 2) channels.push((edges[i] + edges[i + 1]) / 2);
  const laneOf = (box) => lanes.findIndex((lane) => lane.boxes.includes(box));
  // Through lanes first..last-1 by the gap nearest `b`, starting in channels[first].
  const through = (first, last, b) =>
    lanes.slice(first, last).flatMap((lane, i) => {
      const gap = nearest(lane.gaps, b);
      return [point(channels[first + i], gap), point(channels[first + i + 1], gap)];
    });
  const lbTo = (name) => {
    const box = boxes.get(name);
    const k = laneOf(box);
    return [point(l.a1, l.b), point(channels[0], l.b), ...through(0, k, box.b)]
      .concat([point(channels[k], box.b), point(box.a0, box.b)]);
  };
  const toStore = (name) => {
    const box = boxes.get(name);
    const k = laneOf(box);
    const last = channels.length - 1;
    return [point(box.a1, box.b), point(channels[k + 1], box.b), ...through(k + 1, lanes.length, s.b)]
      .concat([point(channels[last], s.b), point(s.a0, s.b)]);
  };
  // The user and the balancer sit side by side in both layouts, the user first.
  const userWire = [
    { x: user.x1, y: (user.y0 + user.y1) / 2 },
    { x: lb.x0, y: (lb.y0 + lb.y1) / 2 },
  ];
  return { user: userWire, lbTo, toStore };
}
