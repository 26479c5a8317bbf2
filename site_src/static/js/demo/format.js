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

// One formatter for every count: toLocaleString("en") builds a new one on each call, which was
// a tenth of the demo's own script time under heavy traffic.
const thousands = new Intl.NumberFormat("en");

/** A large count with thousands separators. */
export function count(value) {
  return thousands.format(value);
}
