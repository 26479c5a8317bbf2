// A small inline SVG chart: median latency as a line, p99 as a dashed line, failed requests as
// bars, per bucket of simulated time. No chart library: a few shapes and labels do the job.
import { duration } from "guide/demo/format.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 320;
const HEIGHT = 120;
const WINDOW = 60; // buckets shown, as many as the simulator keeps (sim/metrics.py, Series)
const PAD = { left: 34, right: 6, top: 8, bottom: 18 };
const drawn = new WeakMap(); // what each chart shows now, as its data

function element(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// `bucketMs` is the width of one bucket (the snapshot's series_bucket_ms): every span the
// chart names is a number of buckets times it. The chart is drawn again only when what it shows
// changed: a running demo sends ten snapshots a second, most with no new request while idle.
export function renderChart(svg, series, bucketMs) {
  const points = series.slice(-WINDOW);
  const shows = JSON.stringify([bucketMs, points]);
  if (drawn.get(svg) === shows) return;
  drawn.set(svg, shows);
  const keep = [...svg.querySelectorAll("title, desc")];
  svg.replaceChildren(...keep);
  const desc = svg.querySelector("desc");
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  svg.append(
    element("line", { x1: PAD.left, y1: HEIGHT - PAD.bottom, x2: WIDTH - PAD.right, y2: HEIGHT - PAD.bottom, class: "axis" }),
  );
  if (!points.length) {
    desc.textContent = "No requests yet.";
    return;
  }
  const latencies = points.map((p) => p.p50_ms).filter((v) => v !== null);
  const tails = points.map((p) => p.p99_ms).filter((v) => v !== null && v !== undefined);
  const maxLatency = Math.max(1, ...latencies, ...tails);
  const maxErrors = Math.max(1, ...points.map((p) => p.errors));
  // A fixed axis of WINDOW buckets, the newest at the right, so the scale never stretches.
  const step = innerW / WINDOW;
  const first = WINDOW - points.length;
  points.forEach((point, index) => {
    if (!point.errors) return;
    const h = (point.errors / maxErrors) * innerH;
    svg.append(
      element("rect", {
        x: PAD.left + (first + index) * step + step * 0.15,
        y: HEIGHT - PAD.bottom - h,
        width: Math.max(step * 0.7, 1),
        height: h,
        class: "bar-errors",
      }),
    );
  });
  let path = "";
  let gap = true; // a bucket with no successful request breaks the line
  points.forEach((point, index) => {
    if (point.p50_ms === null) {
      gap = true;
      return;
    }
    const x = PAD.left + (first + index) * step + step / 2;
    const y = HEIGHT - PAD.bottom - (point.p50_ms / maxLatency) * innerH;
    path += `${gap ? "M" : "L"}${x.toFixed(1)},${y.toFixed(1)} `;
    gap = false;
    // A dot per bucket, so a lone bucket (a paused run, a gap on each side) still shows.
    svg.append(element("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 2, class: "dot-latency" }));
  });
  if (path) svg.append(element("path", { d: path.trim(), class: "line-latency" }));
  const tail = linePath(points, "p99_ms", first, step, innerH, maxLatency);
  if (tail) svg.append(element("path", { d: tail, class: "line-p99" }));
  svg.append(element("text", { x: PAD.left - 4, y: PAD.top + 8, class: "chart-label", "text-anchor": "end" }, maxLatency.toFixed(1)));
  svg.append(element("text", { x: PAD.left - 4, y: HEIGHT - PAD.bottom, class: "chart-label", "text-anchor": "end" }, "0"));
  svg.append(element("text", { x: WIDTH - PAD.right, y: HEIGHT - 4, class: "chart-label", "text-anchor": "end" }, `last ${duration(WINDOW * bucketMs)}`));
  const errors = points.reduce((sum, p) => sum + p.errors, 0);
  const last = latencies.length ? latencies[latencies.length - 1] : null;
  desc.textContent =
    `Over the last ${duration(points.length * bucketMs)} of simulated time: ${errors} failed requests` +
    (last === null ? "." : `; the latest median latency is ${last.toFixed(2)} ms`) +
    (tails.length ? `, the latest p99 ${tails[tails.length - 1].toFixed(2)} ms (peak ${maxLatency.toFixed(2)} ms).` : ".");
}

// One value of each bucket as a path, broken where a bucket has none.
function linePath(points, key, first, step, innerH, max) {
  let path = "";
  let gap = true;
  points.forEach((point, index) => {
    const value = point[key];
    if (value === null || value === undefined) {
      gap = true;
      return;
    }
    const x = PAD.left + (first + index) * step + step / 2;
    const y = HEIGHT - PAD.bottom - (value / max) * innerH;
    path += `${gap ? "M" : "L"}${x.toFixed(1)},${y.toFixed(1)} `;
    gap = false;
  });
  return path.trim();
}
