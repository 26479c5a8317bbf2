// The worker's downloads: every file the start needs, requested at once, counted for the
// page's progress, and checked for stalls, length and SHA-256 (the worker's own module; it
// imports nothing, since the build links only the worker's imports).

const realFetch = self.fetch.bind(self); // before startDownloads() wraps it

// Request every file the start needs now, and count the bytes as they arrive so the page can
// show real progress (`progress(loaded, total)`). `downloads` maps each absolute URL to its size in bytes and its SHA-256.
// Pyodide's own fetches of these URLs are answered with the responses already under way.
//
// Each file is also checked here, on a copy of its body: whatever Pyodide does with a file
// cut short (it may wait forever, or exit with a bare status), `checked` rejects with what
// happened, in words, once a file stalls for `stallMs`, breaks off, or arrives short or
// damaged. The wasm is handed over as the network gives it, since it compiles as it streams
// (and a wasm compiled from a response with its URL can be kept in the browser's code cache).
// An archive is read whole anyway, so it is handed over once checked, and one that failed is
// never handed over: Pyodide asks for its standard library before it waits for it, so a
// failed body would reject where nothing listens yet, an uncaught "Failed to fetch" beside
// the message `checked` gives.
export function startDownloads(downloads, stallMs, progress) {
  const total = Object.values(downloads).reduce((sum, file) => sum + file.size, 0);
  let loaded = 0;
  function count(bytes) {
    loaded += bytes;
    progress(Math.min(loaded, total), total);
  }
  const pending = new Map();
  const checks = [];
  for (const [url, expected] of Object.entries(downloads)) {
    const file = download(url, expected, stallMs, count);
    file.response.catch(() => {}); // whoever takes it sees the rejection; `checked` says why
    pending.set(url, url.endsWith(".wasm") ? file.response : wholeOnceChecked(file.body));
    checks.push(file.body.then(() => {})); // settled, not holding the bodies for the session
  }
  const checked = Promise.all(checks);
  checked.catch(() => {}); // init reports it
  const take = (url) => {
    const response = pending.get(url);
    pending.delete(url); // a body is read once; a second fetch goes to the network
    return response;
  };
  self.fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    return take(url) ?? realFetch(input, init);
  };
  return { take, checked };
}

// A response of a checked body; for one that failed, a promise that never settles.
function wholeOnceChecked(body) {
  return body.then(
    (blob) => new Response(blob),
    () => new Promise(() => {}),
  );
}

// One file: { response, body }, `body` being the checked body as a Blob (rejected, in words,
// when the check fails). A time-out restarts with every chunk, so a slow download that keeps
// arriving is never cut, and one that stops is, headers or body.
function download(url, expected, stallMs, count) {
  const name = url.slice(url.lastIndexOf("/") + 1);
  const failed = (what) => new Error(`Could not download ${name}: ${what}`);
  const stopper = new AbortController();
  let received = 0;
  let stalled = false;
  let timer = null;
  const watch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      stopper.abort();
    }, stallMs);
  };
  const stalledText = () =>
    `nothing arrived for ${stallMs / 1000} seconds (${megabytes(received)} of ${megabytes(expected.size)} had).`;
  watch();
  const response = realFetch(url, { signal: stopper.signal }).then(
    (answer) => {
      if (answer.ok) return answer;
      throw failed(`the server answered ${answer.status}.`);
    },
    () => {
      throw failed(stalled ? stalledText() : "the network request failed.");
    },
  );
  const body = response
    .then(async (answer) => {
      const reader = answer.clone().body.getReader();
      const chunks = [];
      try {
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
          watch();
          chunks.push(chunk.value);
          received += chunk.value.byteLength;
          count(chunk.value.byteLength);
        }
      } catch {
        throw failed(stalled ? stalledText() : `the connection broke off after ${megabytes(received)} of ${megabytes(expected.size)}.`);
      }
      if (received !== expected.size) {
        throw failed(`it arrived incomplete (${megabytes(received)} of ${megabytes(expected.size)}).`);
      }
      const blob = new Blob(chunks);
      if ((await sha256(await blob.arrayBuffer())) !== expected.sha256) {
        throw failed("it arrived damaged (its checksum is not the one this version lists).");
      }
      return blob;
    })
    .finally(() => clearTimeout(timer));
  return { response, body };
}

// The runtime's two modules are imported, so their bytes cannot be counted or timed. They are
// asked for first and are smaller than the wasm (1.3 MB of 13 MB), so once every counted file
// is in, they have had their turn: after `stallMs` more, they count as stalled.
export async function importModule(indexURL, name, checked, stallMs) {
  let timer = null;
  let arrived = false;
  const stalled = new Promise((resolve, reject) => {
    const give = () => reject(new Error(`Could not download ${name}: nothing arrived for ${stallMs / 1000} seconds after the other files.`));
    checked.then(() => {
      if (!arrived) timer = setTimeout(give, stallMs);
    }, () => {});
  });
  const module = import(indexURL + name).catch(() => {
    throw new Error(`Could not download ${name}: the server refused it or the network failed.`);
  });
  try {
    return await Promise.race([module, stalled]);
  } finally {
    arrived = true;
    clearTimeout(timer);
  }
}

function megabytes(bytes) {
  return (bytes / 1e6).toFixed(1) + " MB";
}

async function sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
