// Registers the service worker that keeps the guide, the runtime and the simulator for use
// without a network. Registered from the demo's page, which downloads the runtime anyway.
const config = JSON.parse(document.getElementById("boot-config").textContent);

if ("serviceWorker" in navigator) {
  navigator.serviceWorker
    .register(config.serviceWorkerURL, { scope: config.baseURL })
    .catch((error) => console.warn("Offline use is unavailable:", error.message));
}
