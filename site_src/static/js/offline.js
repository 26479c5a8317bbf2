// Registers the service worker that keeps the guide, the runtime and the simulator for use
// without a network; window.offlineReady (boot.js) settles once all of it is saved and checked.
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
  // The newest worker of this registration. Saved once is not saved now: the cache may have
  // been cleared since, so on every visit it checks every file and fetches what is missing
  // (while installing, it answers once the install's saving is done).
  await keepEverything(registration.installing || registration.waiting || registration.active);
  // Saved is not yet served: a first worker answers the page before its install has ended, and
  // a navigation starting then still goes to the network. Kept means a worker is active.
  await navigator.serviceWorker.ready;
}

// The worker's answer says why when a file could not be saved; a worker that goes away
// without answering (the browser stopped it) is the only other way this ends.
function keepEverything(worker) {
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = ({ data }) => (data.saved ? resolve() : reject(new Error(data.message)));
    worker.postMessage({ type: "keep-offline" }, [channel.port2]);
    worker.addEventListener("statechange", () => {
      if (worker.state === "redundant") setTimeout(() => reject(new Error("the browser stopped saving it")));
    });
  });
}

// Said once a visit, at the end of the page; the next visit registers the worker again, and
// it tries again.
function showFailure(reason) {
  const notice = document.createElement("p");
  notice.className = "notice offline-notice";
  notice.setAttribute("role", "status");
  notice.textContent = `This guide could not be saved for use offline: ${reason}. It will try again on your next visit.`;
  document.querySelector("main").append(notice);
}

window.simReady
  .catch(() => {}) // the pages are worth keeping even when the demo cannot start
  .then(keepForOffline)
  .then(
    () => settle.resolve(),
    (error) => {
      console.warn("Offline use is unavailable:", error.message);
      if ("serviceWorker" in navigator) showFailure(error.message);
      settle.reject(error);
    },
  );
