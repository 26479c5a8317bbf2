// Service worker: once the guide has been visited, it works with no network. The build puts
// BASE (the site's base path), VERSION (a hash of every file) and PRECACHE (every URL of the
// site) above this line. Project sites of one account share an origin, so every cache name
// carries the base path, and only this site's old caches are deleted.

const CACHE_PREFIX = `stateless-guide:${BASE}:`;
const CACHE = CACHE_PREFIX + VERSION;
const PAGE_TIMEOUT_MS = 3000; // then a saved page, rather than a page that hangs
// Files whose URL names their content (hashed assets, the versioned runtime): any copy of one
// is the right one, so the copy the first visit left in the HTTP cache is saved as it is.
const IMMUTABLE = [BASE + "assets/", BASE + "pyodide/"];

self.addEventListener("install", (event) => {
  event.waitUntil(precache());
});

// Registered once the demo is ready, so most of the site is in the HTTP cache by now: nothing
// the visit fetched is downloaded again. Pages open in a tab were just loaded, so they are
// taken from there too; other pages are asked for fresh.
async function precache() {
  const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const loaded = new Set(open.map((client) => client.url.split(/[?#]/)[0]));
  const cache = await caches.open(CACHE);
  await Promise.all(
    PRECACHE.map(async (url) => {
      const reuse = loaded.has(new URL(url, location.href).href) || IMMUTABLE.some((p) => url.startsWith(p));
      const response = await fetch(url, { cache: reuse ? "force-cache" : "no-cache" });
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      await cache.put(url, response);
    }),
  );
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
// ?scenario= link opens offline too).
async function page(request) {
  const network = fetch(request);
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
