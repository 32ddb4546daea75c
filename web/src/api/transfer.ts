// Bytes up and down for the evidence pages. fetch() cannot report how much of a request body
// has been sent, so an upload goes through XMLHttpRequest, which streams a File from disk and
// tells its progress; a signed package comes back as a blob the browser saves as a file.
import { ApiError, currentCsrfToken, type ProblemDetails } from './client';

export interface Progress {
  sent: number;
  total: number;
}

function problemOf(status: number, text: string, statusText: string): ProblemDetails {
  try {
    const parsed = JSON.parse(text) as ProblemDetails;
    if (parsed && typeof parsed === 'object') return { ...parsed, status };
  } catch {
    // not JSON: fall through
  }
  return { status, detail: `The server answered ${status} ${statusText}`.trim() };
}

// PUTs `body` as the raw request body and resolves with the JSON answer.
export function putWithProgress<T>(path: string, body: Blob, onProgress: (p: Progress) => void, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', path);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', body.type || 'application/octet-stream');
    const token = currentCsrfToken();
    if (token) xhr.setRequestHeader('X-CSRF-Token', token);
    xhr.upload.onprogress = (e) => onProgress({ sent: e.loaded, total: e.lengthComputable ? e.total : body.size });
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          reject(new ApiError({ status: xhr.status, detail: 'The server answered something that is not JSON.' }));
        }
      } else {
        reject(new ApiError(problemOf(xhr.status, xhr.responseText, xhr.statusText)));
      }
    };
    xhr.onerror = () => reject(new ApiError({ status: 0, code: 'network', detail: 'The upload was cut off. Check your connection and try again.' }));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(body);
  });
}

// POSTs (with the CSRF token) and hands the answer's bytes to the browser as a download.
export async function postAndSave(path: string, fallbackName: string): Promise<string> {
  const headers: Record<string, string> = {};
  const token = currentCsrfToken();
  if (token) headers['X-CSRF-Token'] = token;
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', headers, credentials: 'same-origin' });
  } catch {
    throw new ApiError({ status: 0, code: 'network', detail: 'The server could not be reached. Check your connection and try again.' });
  }
  if (!res.ok) throw new ApiError(problemOf(res.status, await res.text(), res.statusText));
  const disposition = res.headers.get('content-disposition');
  const m = disposition ? /filename="?([^";]+)"?/i.exec(disposition) : null;
  const name = m ? m[1] : fallbackName;
  saveBlob(await res.blob(), name);
  return name;
}

export function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has taken its copy once the click has been handled.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
