// Service worker: once the guide has been visited, it works with no network. The build puts
// BASE (the site's base path), VERSION (a hash of every file) and PRECACHE (every URL of the
// site, each with the SHA-256 of its bytes, hex) above this line. Project sites of one account
// share an origin, so every cache name carries the base path, and only this site's old caches
// are deleted.

const CACHE_PREFIX = `stateless-guide:${BASE}:`;
const CACHE = CACHE_PREFIX + VERSION;
const PAGE_TIMEOUT_MS = 3000; // then a saved page, rather than a page that hangs

// A version is installed only once every one of its files is saved and checked; when one
// cannot be, the next visit tries again (offline.js registers the worker on every visit).
self.addEventListener("install", (event) => {
  event.waitUntil(saveMissing());
});

// offline.js asks on every visit, and hears why when a file cannot be saved. The cache may
// have been cleared since it was filled (by the reader, or by the browser short of space), and
// a cache opened again starts empty.
self.addEventListener("message", (event) => {
  const [port] = event.ports;
  if (event.data?.type !== "keep-offline" || !port) return;
  event.waitUntil(
    saveMissing().then(
      () => port.postMessage({ saved: true }),
      (error) => port.postMessage({ saved: false, message: error.message }),
    ),
  );
});

// Every listed file that is not in this version's cache yet, fetched and checked. One run at a
// time: a page that asks while the worker installs waits for the install's own run.
let saving = null;
function saveMissing() {
  saving ??= saveEachMissing().finally(() => {
    saving = null;
  });
  return saving;
}

async function saveEachMissing() {
  const cache = await caches.open(CACHE);
  const saved = new Set((await cache.keys()).map((request) => request.url));
  const missing = Object.keys(PRECACHE).filter((url) => !saved.has(new URL(url, location.href).href));
  await Promise.all(missing.map((url) => save(cache, url)));
}

// This version's copy of one file, and no other. The copy in the HTTP cache comes first: the
// demo's visit has just loaded most of the site, and nothing is downloaded twice. A copy that
// is not this version's (a page kept from an earlier version, which the host lets the HTTP
// cache reuse for 10 minutes; a 404 kept from a failed visit) is replaced by a download that
// bypasses the HTTP cache, and that one must have the bytes the build listed.
async function save(cache, url) {
  let problem;
  for (const mode of ["force-cache", "reload"]) {
    let response;
    try {
      response = await fetch(url, { cache: mode });
    } catch {
      problem = `${url} could not be downloaded (no network)`;
      continue;
    }
    if (!response.ok) {
      problem = `${url} could not be downloaded (the server answered ${response.status})`;
    } else if ((await sha256(await response.clone().arrayBuffer())) !== PRECACHE[url]) {
      problem = `the server's ${url} is not this version's (a newer version may be live)`;
    } else {
      await cache.put(url, response).catch((error) => {
        throw error.name === "QuotaExceededError" ? new Error(`the browser has no room left for ${url}`) : error;
      });
      return;
    }
  }
  throw new Error(problem);
}

async function sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// A new version waits until no tab uses the old one (the default), so a page never mixes
// old HTML with new assets; then the old caches of this site go.
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((names) =>
      Promise.all(
        names
          .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
          .map((name) => caches.delete(name)),
      ),
    ),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin || !url.pathname.startsWith(BASE)) {
    return;
  }
  event.respondWith(request.mode === "navigate" ? page(request) : asset(request));
});

// Pages: the network first, so a new deploy shows at once; the saved copy when offline, or
// when the network has not answered within PAGE_TIMEOUT_MS (ignoring the query, so a shared
// ?scenario= link opens offline too). "no-cache" asks the host whether the HTTP cache's copy
// is still current (a 304 costs no body) instead of taking it unasked for the 10 minutes
// GitHub Pages allows: a page kept from before a deploy would name assets no cache holds.
async function page(request) {
  const network = fetch(new Request(request, { cache: "no-cache" }));
  network.catch(() => {}); // handled below, whichever way the race goes
  const saved = async () => {
    const cache = await caches.open(CACHE);
    return cache.match(request, { ignoreSearch: true });
  };
  try {
    const answer = await Promise.race([network, delay(PAGE_TIMEOUT_MS)]);
    return answer || (await saved()) || (await network);
  } catch (error) {
    const cache = await caches.open(CACHE);
    return (await saved()) || (await cache.match(BASE + "404.html")) || Response.error();
  }
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms));
}

// Assets have content-hashed or versioned names, so a saved copy is always the right one.
async function asset(request) {
  const cache = await caches.open(CACHE);
  return (await cache.match(request)) || fetch(request);
}
