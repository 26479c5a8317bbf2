// Numbers in the words a reader counts them in. Formatting only: the figures come from the
// simulator's snapshot.

/** "1 item", "3 items". */
export function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function seconds(ns) {
  return `${(ns / 1e9).toFixed(1)} s`;
}

export function milliseconds(value) {
  if (value === null || value === undefined) return "–";
  return value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(0)} ms`;
}

// Simulated time in the unit a reader counts it in: seconds, or minutes for a long run
// (`scale`, when given, picks the unit, so "1.8 of 60.0 min" reads in one unit).
export function simulatedTime(ns, scale = ns) {
  return scale < 120e9 ? seconds(ns) : `${(ns / 60e9).toFixed(1)} min`;
}

/** A duration of whole or fractional seconds, as a chart label says it: "60 s", "1.5 s". */
export function duration(ms) {
  return ms % 60_000 === 0 && ms >= 120_000 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/** A figure in seconds, as Compare gives one: "0.7 s", "59 s". */
export function secondsFigure(value) {
  return value < 10 ? `${value.toFixed(1)} s` : `${value.toFixed(0)} s`;
}

/** A ratio, such as the busiest server's rate over the mean: "1.10×". */
export function ratio(value) {
  return `${value.toFixed(2)}×`;
}

/** A share as a percentage: 0.743 is "74%". */
export function percent(value) {
  return `${Math.round(value * 100)}%`;
}

// One formatter for every count: toLocaleString("en") builds a new one on each call, which was
// a tenth of the demo's own script time under heavy traffic. Made at the first count, not as
// the page loads: the first one in a page costs 25-40 ms.
let thousands = null;

/** A large count with thousands separators. */
export function count(value) {
  thousands ??= new Intl.NumberFormat("en");
  return thousands.format(value);
}
