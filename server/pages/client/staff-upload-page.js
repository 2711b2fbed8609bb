// The tender-document upload of a section's staff page with a progress bar: the file goes straight
// to the JSON API (POST /api/sections/:id/documents?name=…, the page's session cookie, same origin)
// by XMLHttpRequest, whose upload events give the progress. Without this script the form posts
// multipart/form-data to the page route instead, which stores the same way.
import { uploadWithProgress } from './upload.js';

const form = document.getElementById('upload-form');
if (form) {
  const input = document.getElementById('f-file');
  const bar = document.getElementById('upload-progress');
  const barField = document.getElementById('upload-progress-field');
  const status = document.getElementById('upload-status');
  const button = document.getElementById('upload-button');
  const msg = (name) => form.getAttribute(`data-msg-${name}`) ?? '';
  let errors = {};
  try {
    errors = JSON.parse(form.getAttribute('data-errors') ?? '{}');
  } catch {
    errors = {};
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = input.files?.[0];
    if (!file) {
      status.textContent = msg('no-file');
      input.focus();
      return;
    }
    button.disabled = true;
    barField.hidden = false;
    bar.value = 0;
    status.textContent = '';
    try {
      const url = `${form.getAttribute('data-api')}?${new URLSearchParams({ name: file.name })}`;
      const answer = await uploadWithProgress({
        url,
        body: file,
        headers: { 'Content-Type': file.type || 'application/octet-stream' },
        onProgress: (sent, total) => {
          bar.value = total ? Math.round((sent / total) * 100) : 100;
        },
      });
      if (answer.status === 201) {
        bar.value = 100;
        status.textContent = msg('done');
        const next = new URL(window.location.href);
        next.searchParams.set('uploaded', answer.data?.document?.id ?? '');
        window.location.assign(next.toString());
        return;
      }
      const code = answer.data?.error?.code ?? '';
      status.textContent = `${msg('failed')} ${errors[code] ?? answer.data?.error?.message ?? answer.status}`;
    } catch {
      status.textContent = msg('connection');
    }
    button.disabled = false;
  });
}
