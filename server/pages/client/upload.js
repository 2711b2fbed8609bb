// Uploading a sealed bid from the page with progress: XMLHttpRequest, because fetch reports no
// upload progress. The body is the Blob as sealed (the browser streams it from its blob store).
// With a token the request carries it as a bearer credential; without one it goes with the page's
// session cookie (same origin only: XHR to our own origin sends it, and the server's same-origin
// guard checks the Origin header the browser adds). Plain JS like the pages (the DOM is not in the
// project's TypeScript libs).

/**
 * @param {{ url: string, body: Blob, headers: Record<string, string>, token?: string | null, onProgress?: (sent: number, total: number) => void }} options
 * @returns {Promise<{ status: number, data: unknown, text: string }>} the answer; data is null when it is not JSON
 */
export function uploadWithProgress(options) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', options.url);
    xhr.withCredentials = false; // never cookies to another origin (the URL is ours anyway)
    for (const [name, value] of Object.entries(options.headers)) xhr.setRequestHeader(name, value);
    if (options.token) xhr.setRequestHeader('Authorization', `Bearer ${options.token}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.(event.loaded, event.total);
    };
    xhr.upload.onload = () => options.onProgress?.(options.body.size, options.body.size);
    xhr.onload = () => {
      const text = xhr.responseText;
      let data = null;
      try {
        data = text ? JSON.parse(text) : null;
      } catch {
        data = null;
      }
      resolve({ status: xhr.status, data, text });
    };
    xhr.onerror = () => reject(new Error('the connection failed during the upload'));
    xhr.onabort = () => reject(new Error('the upload was stopped'));
    xhr.send(options.body);
  });
}
