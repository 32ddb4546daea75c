import { useState, type FormEvent } from 'react';
import { api, idempotencyKey } from '../../api/client';
import { ErrorMessage, Field, Loading } from '../../components/ui';
import { shortHash } from '../../lib/evidence';
import { formatBytes, formatDateTime } from '../../lib/format';
import { useApi } from '../../lib/hooks';
import { describeError, formErrors, NO_ERRORS, type FormErrors } from '../../lib/problem';

interface ReportAttachment {
  id: number;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  uploaded_by: string | null;
  created_at: string;
  download: string;
}

interface ReportNote {
  id: number;
  author: string | null;
  author_email: string | null;
  channel: string;
  body: string;
  created_at: string;
}

function reportPath(key: string) {
  return `/api/v1/events/${encodeURIComponent(key)}`;
}

// The files that came with a report (from the form or a reporter's e-mail) with their SHA-256.
export function ReportAttachments({ reportKey }: { reportKey: string }) {
  const files = useApi<{ items: ReportAttachment[] }>(`${reportPath(reportKey)}/attachments`);
  const items = files.data?.items ?? [];
  if (files.data && items.length === 0) return null;
  return (
    <section className="card" aria-labelledby="h-report-files">
      <h2 id="h-report-files">Attachments</h2>
      {files.loading && !files.data ? <Loading what="Loading the attachments" /> : null}
      <ErrorMessage>{files.error ? describeError(files.error) : null}</ErrorMessage>
      <ul className="attachment-list">
        {items.map((a) => (
          <li key={a.id}>
            <a href={a.download} download={a.filename}>
              {a.filename}
            </a>
            <span className="muted small">
              {formatBytes(a.size)} · {a.uploaded_by ?? 'e-mail'} · {formatDateTime(a.created_at)}
            </span>
            <code className="hash" title={`SHA-256 ${a.sha256}`}>
              {shortHash(a.sha256)}
            </code>
          </li>
        ))}
      </ul>
    </section>
  );
}

// What was added to a report after it was filed (the reporter's replies by mail, notes from the
// app), oldest first, and the form to add one while the report is undecided.
export function ReportNotes({ reportKey, open }: { reportKey: string; open: boolean }) {
  const notes = useApi<{ items: ReportNote[] }>(`${reportPath(reportKey)}/notes`);
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const items = notes.data?.items ?? [];

  async function add(e: FormEvent) {
    e.preventDefault();
    if (!body.trim()) {
      setErrors({ fields: { body: 'Write something first.' }, form: null });
      return;
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      await api.post(`${reportPath(reportKey)}/notes`, { body: body.trim() }, { headers: { 'Idempotency-Key': idempotencyKey() } });
      setBody('');
      await notes.reload();
    } catch (err) {
      setErrors(formErrors(err, ['body']));
    } finally {
      setBusy(false);
    }
  }

  if (notes.data && items.length === 0 && !open) return null;
  return (
    <section className="card" aria-labelledby="h-report-notes">
      <h2 id="h-report-notes">Notes</h2>
      {notes.loading && !notes.data ? <Loading what="Loading the notes" /> : null}
      <ErrorMessage>{notes.error ? describeError(notes.error) : null}</ErrorMessage>
      {notes.data && items.length === 0 ? <p className="muted">Nothing added since the report was filed.</p> : null}
      <ol className="timeline">
        {items.map((n) => (
          <li key={n.id} className="tl-item tl-worklog">
            <div className="tl-meta">
              <strong>{n.author ?? n.author_email ?? 'someone'}</strong>
              {n.channel === 'email' ? <span className="badge subtle">by e-mail</span> : null}
              <time dateTime={n.created_at} title={n.created_at}>
                {formatDateTime(n.created_at)}
              </time>
            </div>
            <div className="tl-body">{n.body}</div>
          </li>
        ))}
      </ol>
      {open ? (
        <form className="note-form" onSubmit={add} noValidate>
          <ErrorMessage>{errors.form}</ErrorMessage>
          <Field label="Add a note" error={errors.fields.body}>
            {(p) => <textarea {...p} rows={3} value={body} onChange={(e) => setBody(e.target.value)} placeholder="Anything that helps to assess this report" />}
          </Field>
          <div className="note-form-actions">
            <button type="submit" className="btn" disabled={busy}>
              {busy ? 'Adding…' : 'Add note'}
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
