// The worker's memory snapshot of a started interpreter, kept in Cache Storage between visits
// (see worker.js): read, saved (one per site) and forgotten.
export function canKeepSnapshots() {
  return typeof caches === "object";
}

export async function readSnapshot({ cache, url }) {
  try {
    if (!canKeepSnapshots()) return null;
    const response = await (await caches.open(cache)).match(url);
    return response ? new Uint8Array(await response.arrayBuffer()) : null;
  } catch (error) {
    return null; // storage unavailable (a private window): start normally
  }
}

// One snapshot per site: saving this build's removes any other build's.
export async function saveSnapshot({ cache, url }, bytes) {
  const saved = await caches.open(cache);
  const current = new URL(url, location.href).href;
  for (const request of await saved.keys()) {
    if (request.url !== current) await saved.delete(request);
  }
  await saved.put(url, new Response(bytes, { headers: { "Content-Type": "application/octet-stream" } }));
}

export async function forgetSnapshots({ cache }) {
  try {
    await caches.delete(cache);
  } catch (error) {
    // nothing saved to forget
  }
}
