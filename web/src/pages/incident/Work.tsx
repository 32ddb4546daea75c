import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, idempotencyKey } from '../../api/client';
import type { Attachment, Incident, Page, Task, TimelineItem, User } from '../../api/types';
import { ErrorMessage, Field, Loading } from '../../components/ui';
import { formatBytes, formatDateTime, formatRelative, localInputToIso } from '../../lib/format';
import { useApi } from '../../lib/hooks';
import { STATUS_LABELS, humanize } from '../../lib/priority';
import { describeChange } from '../../lib/timeline';
import { describeError, formErrors, NO_ERRORS, type FormErrors } from '../../lib/problem';
import { useMe } from '../../lib/session';
import { incidentPaths } from './paths';

// ---- Timeline: worklog entries and every recorded change, oldest first, with the note form.

// `version` changes whenever the timeline may have grown (the incident's version, or a live event).
export function Timeline({ incident, version }: { incident: Incident; version: number | string }) {
  const { can } = useMe();
  const timeline = useApi<Page<TimelineItem>>(incidentPaths(incident.key).timeline);
  // Every change of the incident (a transition, an edit) adds to its timeline.
  const seen = useRef(version);
  useEffect(() => {
    if (seen.current === version) return;
    seen.current = version;
    void timeline.reload();
  }, [version, timeline]);
  const [body, setBody] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'internal'>(can.work ? 'internal' : 'public');
  const [kind, setKind] = useState<'note' | 'workaround'>('note');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);

  async function add(e: FormEvent) {
    e.preventDefault();
    if (!body.trim()) {
      setErrors({ fields: { body: 'Write something first.' }, form: null });
      return;
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const payload: Record<string, unknown> = { body, kind };
      if (can.work) payload.visibility = visibility;
      await api.post(`/api/v1/incidents/${incident.key}/worklog`, payload, { headers: { 'Idempotency-Key': idempotencyKey() } });
      setBody('');
      await timeline.reload();
    } catch (err) {
      setErrors(formErrors(err, ['body', 'visibility', 'kind']));
    } finally {
      setBusy(false);
    }
  }

  const items = timeline.data?.items ?? [];
  const closed = ['closed', 'cancelled'].includes(incident.status);

  return (
    <section className="card" aria-labelledby="timeline-h">
      <h2 id="timeline-h">Timeline</h2>
      {timeline.loading && !timeline.data ? <Loading what="Loading the timeline" /> : null}
      <ErrorMessage>{timeline.error ? describeError(timeline.error) : null}</ErrorMessage>
      <ol className="timeline">
        {items.map((item, n) =>
          item.type === 'worklog' ? (
            <li key={`w${item.id ?? n}`} className={`tl-item tl-worklog${item.visibility === 'internal' ? ' tl-internal' : ''}`}>
              <div className="tl-meta">
                <strong>{item.actor ?? 'system'}</strong>
                {item.kind && item.kind !== 'note' ? <span className="badge subtle">{humanize(item.kind)}</span> : null}
                {item.visibility === 'internal' ? <span className="badge internal">Internal</span> : null}
                <time dateTime={item.at} title={formatDateTime(item.at)}>
                  {formatRelative(item.at)}
                </time>
              </div>
              <div className="tl-body">{item.body}</div>
            </li>
          ) : (
            <li key={`c${item.seq ?? n}`} className="tl-item tl-change">
              <div className="tl-meta">
                <span>
                  <strong>{item.actor ?? 'system'}</strong> {describeChange(item)}
                </span>
                <time dateTime={item.at} title={formatDateTime(item.at)}>
                  {formatRelative(item.at)}
                </time>
              </div>
            </li>
          ),
        )}
      </ol>
      {!closed ? (
        <form className="note-form" onSubmit={add} noValidate>
          <ErrorMessage>{errors.form}</ErrorMessage>
          <Field label={can.work ? 'Add to the worklog' : 'Add a comment'} error={errors.fields.body}>
            {(p) => <textarea {...p} rows={3} value={body} onChange={(e) => setBody(e.target.value)} placeholder={can.work ? 'What you found or did' : 'Anything the security team should know'} />}
          </Field>
          <div className="note-form-actions">
            {can.work ? (
              <>
                <label className="inline-select">
                  Visible to
                  <select value={visibility} onChange={(e) => setVisibility(e.target.value as 'public' | 'internal')}>
                    <option value="internal">the service desk only</option>
                    <option value="public">the reporter too</option>
                  </select>
                </label>
                <label className="inline-select">
                  Kind
                  <select value={kind} onChange={(e) => setKind(e.target.value as 'note' | 'workaround')}>
                    <option value="note">Note</option>
                    <option value="workaround">Workaround</option>
                  </select>
                </label>
              </>
            ) : null}
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Adding…' : 'Add'}
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}

// ---- Tasks

export function Tasks({ incident, workers }: { incident: Incident; workers: User[] }) {
  const { can } = useMe();
  const tasks = useApi<Page<Task>>(incidentPaths(incident.key).tasks);
  const [title, setTitle] = useState('');
  const [assignee, setAssignee] = useState('');
  const [due, setDue] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const items = tasks.data?.items ?? [];
  const editable = can.work && !['closed', 'cancelled'].includes(incident.status);

  async function add(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const body: Record<string, unknown> = { title: title.trim() };
      if (assignee) body.assignee = assignee;
      const at = localInputToIso(due);
      if (at) body.due_at = at;
      await api.post(`/api/v1/incidents/${incident.key}/tasks`, body, { headers: { 'Idempotency-Key': idempotencyKey() } });
      setTitle('');
      setAssignee('');
      setDue('');
      await tasks.reload();
    } catch (err) {
      setErrors(formErrors(err, ['title', 'assignee', 'due_at']));
    } finally {
      setBusy(false);
    }
  }

  async function setStatus(t: Task, status: Task['status']) {
    // Tick at once; the server's answer (or a reload on failure) settles it.
    tasks.setData((page) => (page ? { ...page, items: page.items.map((x) => (x.id === t.id ? { ...x, status } : x)) } : page!));
    try {
      await api.patch(`/api/v1/incidents/${incident.key}/tasks/${t.id}`, { status }, t.version);
      setErrors(NO_ERRORS);
    } catch (err) {
      setErrors({ fields: {}, form: describeError(err) });
    }
    await tasks.reload();
  }

  if (!can.work && items.length === 0) return null;
  return (
    <section className="card" aria-labelledby="tasks-h">
      <h2 id="tasks-h">Tasks</h2>
      {items.length === 0 && !tasks.loading ? <p className="muted">No tasks yet. Split the work into tasks to share it and track it.</p> : null}
      <ul className="task-list">
        {items.map((t) => (
          <li key={t.id} className={`task task-${t.status}`}>
            <label className="check">
              <input type="checkbox" checked={t.status === 'done'} disabled={!editable || t.status === 'cancelled'} onChange={(e) => void setStatus(t, e.target.checked ? 'done' : 'open')} />
              <span className="task-title">{t.title}</span>
            </label>
            <span className="muted small">
              {t.assignee ? `@${t.assignee}` : 'unassigned'}
              {t.due_at ? ` · due ${formatDateTime(t.due_at)}` : ''}
            </span>
          </li>
        ))}
      </ul>
      <ErrorMessage>{errors.form}</ErrorMessage>
      {editable ? (
        <form className="inline-grid" onSubmit={add} noValidate>
          <Field label="New task" error={errors.fields.title}>
            {(p) => <input {...p} value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} placeholder="e.g. Reset the user's password" />}
          </Field>
          <Field label="Assignee" error={errors.fields.assignee}>
            {(p) => (
              <select {...p} value={assignee} onChange={(e) => setAssignee(e.target.value)}>
                <option value="">Nobody yet</option>
                {workers.map((u) => (
                  <option key={u.username} value={u.username}>
                    {u.display_name || u.username}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Due" error={errors.fields.due_at}>
            {(p) => <input {...p} type="datetime-local" value={due} onChange={(e) => setDue(e.target.value)} />}
          </Field>
          <button type="submit" className="btn" disabled={busy || !title.trim()}>
            Add task
          </button>
        </form>
      ) : null}
    </section>
  );
}

// ---- Attachments

export function Attachments({ incident }: { incident: Incident }) {
  const attachments = useApi<Page<Attachment>>(incidentPaths(incident.key).attachments);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const items = attachments.data?.items ?? [];
  const open = !['closed', 'cancelled'].includes(incident.status);

  async function upload(file: File) {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/v1/incidents/${incident.key}/attachments?filename=${encodeURIComponent(file.name)}`, undefined, {
        body: file,
        headers: { 'Content-Type': file.type || 'application/octet-stream' },
      });
      await attachments.reload();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="att-h">
      <h2 id="att-h">Attachments</h2>
      {items.length === 0 && !attachments.loading ? <p className="muted">No files. Attach screenshots, logs or the suspicious message (as a file).</p> : null}
      <ul className="attachment-list">
        {items.map((a) => (
          <li key={a.id}>
            <a href={a.download} download={a.filename}>
              {a.filename}
            </a>
            <span className="muted small">
              {formatBytes(a.size)} · {a.uploaded_by ?? 'system'} · {formatRelative(a.created_at)}
            </span>
            <code className="hash" title="SHA-256 of the file">
              {a.sha256.slice(0, 16)}…
            </code>
          </li>
        ))}
      </ul>
      <ErrorMessage>{error}</ErrorMessage>
      {open ? (
        <label className="btn file-btn">
          {busy ? 'Uploading…' : 'Attach a file'}
          <input
            type="file"
            className="sr-only"
            disabled={busy}
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) void upload(f);
            }}
          />
        </label>
      ) : null}
    </section>
  );
}

// ---- Links: parent, children, problem, duplicate

export function Links({ incident, onChanged }: { incident: Incident; onChanged: (i: Incident) => void }) {
  const { can } = useMe();
  const children = useApi<Page<Incident>>(can.work || can.readOnly ? incidentPaths(incident.key).children : null);
  const [parent, setParent] = useState('');
  const [problem, setProblem] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const kids = children.data?.items ?? [];
  const editable = can.work && !['closed', 'cancelled'].includes(incident.status);

  async function linkParent(e: FormEvent) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    try {
      onChanged(await api.patch<Incident>(`/api/v1/incidents/${incident.key}`, { parent: parent.trim().toUpperCase() || null }, incident.version));
      setParent('');
    } catch (err) {
      setErrors(formErrors(err, ['parent']));
    }
  }

  async function linkProblem(e: FormEvent) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    try {
      await api.post(`/api/v1/problems/${problem.trim().toUpperCase()}/incidents`, { incident: incident.key });
      setProblem('');
      onChanged(await api.get<Incident>(`/api/v1/incidents/${incident.key}`));
    } catch (err) {
      const f = formErrors(err, ['incident']);
      setErrors({ fields: { problem: f.fields.incident ?? f.form ?? '' }, form: null });
    }
  }

  const nothing = !incident.parent && !incident.problem && !incident.duplicate_of && kids.length === 0;
  if (nothing && !editable) return null;
  return (
    <section className="card" aria-labelledby="links-h">
      <h2 id="links-h">Links</h2>
      <dl className="facts">
        {incident.parent ? (
          <>
            <dt>Part of</dt>
            <dd>
              <Link to={`/incidents/${incident.parent}`}>{incident.parent}</Link>
            </dd>
          </>
        ) : null}
        {incident.problem ? (
          <>
            <dt>Problem</dt>
            <dd>
              <Link to={`/problems/${incident.problem}`}>{incident.problem}</Link>
            </dd>
          </>
        ) : null}
        {incident.duplicate_of ? (
          <>
            <dt>Duplicate of</dt>
            <dd>
              <Link to={`/incidents/${incident.duplicate_of}`}>{incident.duplicate_of}</Link>
            </dd>
          </>
        ) : null}
        {kids.length ? (
          <>
            <dt>Child incidents</dt>
            <dd>
              <ul className="plain">
                {kids.map((k) => (
                  <li key={k.key}>
                    <Link to={`/incidents/${k.key}`}>{k.key}</Link> {k.title} <span className="muted">({STATUS_LABELS[k.status]})</span>
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
      </dl>
      {nothing ? <p className="muted">Not linked to other incidents or problems.</p> : null}
      {editable ? (
        <div className="link-forms">
          <form onSubmit={linkParent} className="inline-form" noValidate>
            <Field label="Parent incident" error={errors.fields.parent}>
              {(p) => <input {...p} placeholder="INC-000042" value={parent} onChange={(e) => setParent(e.target.value)} />}
            </Field>
            <button type="submit" className="btn" disabled={!parent.trim()}>
              Link
            </button>
          </form>
          <form onSubmit={linkProblem} className="inline-form" noValidate>
            <Field label="Problem" error={errors.fields.problem}>
              {(p) => <input {...p} placeholder="PRB-000007" value={problem} onChange={(e) => setProblem(e.target.value)} />}
            </Field>
            <button type="submit" className="btn" disabled={!problem.trim()}>
              Link
            </button>
          </form>
          <ErrorMessage>{errors.form}</ErrorMessage>
        </div>
      ) : null}
    </section>
  );
}
