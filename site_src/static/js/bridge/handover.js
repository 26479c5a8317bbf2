// What the page's classic scripts hand to its modules. Those scripts run before any module
// and cannot export, so they leave their hand-overs on window under Symbol.for keys; this is
// the one module that reads them, so the others find them by their imports:
// - bridge/boot.js (in the page's head) started the simulator's worker and made
//   window.simReady, which the demo settles once the simulator answers;
// - embed-options.js (the embed page only) checked the embed's query parameters.
// (offline.js still reads the settle functions of window.offlineReady from boot.js itself.)

function handedOver(name) {
  return window[Symbol.for(`guide.${name}`)];
}

/** The worker boot.js started, and what it said before anyone listened: { worker, heard }. */
export function takeWorker() {
  return handedOver("takeWorker")();
}

/** Settles window.simReady: { resolve(version), reject(error) }. */
export const simReady = handedOver("simReady.settle");

/** On the embed page: { options, notices, guideURL }; elsewhere null. */
export const embed = handedOver("embed") ?? null;
