// Registers the service worker that keeps the guide, the runtime and the simulator for use
// without a network; window.offlineReady (boot.js) settles once all of it is saved.
// Registered once the demo is ready, so saving the site does not compete with starting it, and
// the worker then takes the runtime from the HTTP cache instead of downloading it again.
const config = JSON.parse(document.getElementById("boot-config").textContent);
const settle = window[Symbol.for("guide.offlineReady.settle")];

async function keepForOffline() {
  if (!("serviceWorker" in navigator)) {
    throw new Error("This browser cannot keep the guide for offline use.");
  }
  const registration = await navigator.serviceWorker.register(config.serviceWorkerURL, {
    scope: config.baseURL,
  });
  // The newest worker of this registration; it has saved everything once it is past installing.
  const worker = registration.installing || registration.waiting || registration.active;
  await new Promise((resolve, reject) => {
    const check = () => {
      if (worker.state === "redundant") {
        reject(new Error("Saving the guide for offline use failed."));
      } else if (worker.state !== "installing") {
        resolve();
      }
    };
    worker.addEventListener("statechange", check);
    check();
  });
}

window.simReady
  .catch(() => {}) // the pages are worth keeping even when the demo cannot start
  .then(keepForOffline)
  .then(
    () => settle.resolve(),
    (error) => {
      console.warn("Offline use is unavailable:", error.message);
      settle.reject(error);
    },
  );
