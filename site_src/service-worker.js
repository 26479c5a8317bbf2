// Service worker: once the guide has been visited, it works with no network. The build puts
// BASE (the site's base path), VERSION (a hash of every file) and PRECACHE (every URL of the
// site) above this line. Project sites of one account share an origin, so every cache name
// carries the base path, and only this site's old caches are deleted.

const CACHE_PREFIX = `stateless-guide:${BASE}:`;
const CACHE = CACHE_PREFIX + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)));
});

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

// Pages: the network first, so a new deploy shows at once; the saved copy when offline
// (ignoring the query, so a shared ?scenario= link opens offline too).
async function page(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const cache = await caches.open(CACHE);
    return (
      (await cache.match(request, { ignoreSearch: true })) ||
      (await cache.match(BASE + "404.html")) ||
      Response.error()
    );
  }
}

// Assets have content-hashed or versioned names, so a saved copy is always the right one.
async function asset(request) {
  const cache = await caches.open(CACHE);
  return (await cache.match(request)) || fetch(request);
}
