import { useState, type FormEvent } from 'react';
import { api, idempotencyKey } from '../../api/client';
import type { Incident, Page, User, WorklogEntry } from '../../api/types';
import { ErrorMessage, Field } from '../../components/ui';
import { formatRelative } from '../../lib/format';
import { useApi } from '../../lib/hooks';
import { humanize } from '../../lib/priority';
import { describeError, formErrors, NO_ERRORS, type FormErrors } from '../../lib/problem';
import { useMe } from '../../lib/session';
import { incidentPaths } from './paths';

const AUDIENCES = ['users', 'management', 'internal', 'authorities', 'press'];

export function MajorBanner({ incident }: { incident: Incident }) {
  if (!incident.major) return null;
  return (
    <div className="major-banner" role="note">
      <strong>Major incident</strong>
      <span>
        Managed by {incident.major_manager ?? 'the incident manager'}. Follow the major-incident procedure: keep the communications log
        current, and hold a review before closing.
      </span>
    </div>
  );
}

export function DeclareMajor({ incident, workers, onChanged }: { incident: Incident; workers: User[]; onChanged: (i: Incident) => void }) {
  const { me, can } = useMe();
  const [open, setOpen] = useState(false);
  const [manager, setManager] = useState(me.username);
  const [error, setError] = useState<string | null>(null);
  if (!can.manage || incident.major || ['resolved', 'closed', 'cancelled'].includes(incident.status)) return null;

  async function declare(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      onChanged(await api.post<Incident>(`/api/v1/incidents/${incident.key}/major`, { major_manager: manager }));
      setOpen(false);
    } catch (err) {
      setError(describeError(err));
    }
  }

  if (!open) {
    return (
      <button type="button" className="btn btn-danger-quiet" onClick={() => setOpen(true)}>
        Declare major incident…
      </button>
    );
  }
  return (
    <form className="panel" onSubmit={declare}>
      <Field label="Major-incident manager" error={error ?? undefined}>
        {(p) => (
          <select {...p} value={manager} onChange={(e) => setManager(e.target.value)}>
            {workers.some((u) => u.username === me.username) ? null : <option value={me.username}>{me.username}</option>}
            {workers.map((u) => (
              <option key={u.username} value={u.username}>
                {u.display_name || u.username}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="form-actions">
        <button type="submit" className="btn btn-danger">
          Declare major incident
        </button>
        <button type="button" className="btn btn-quiet" onClick={() => setOpen(false)}>
          Back
        </button>
      </div>
    </form>
  );
}

export function Communications({ incident }: { incident: Incident }) {
  const { can } = useMe();
  const log = useApi<Page<WorklogEntry>>(incident.major ? incidentPaths(incident.key).communications : null);
  const [audience, setAudience] = useState('users');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  if (!incident.major) return null;

  async function send(e: FormEvent) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    try {
      await api.post(`/api/v1/incidents/${incident.key}/communications`, { audience, body }, { headers: { 'Idempotency-Key': idempotencyKey() } });
      setBody('');
      await log.reload();
    } catch (err) {
      setErrors(formErrors(err, ['audience', 'body']));
    }
  }

  const items = log.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="comms-h">
      <h2 id="comms-h">Communications</h2>
      {items.length === 0 ? <p className="muted">Nothing communicated yet. Record every message sent to users, management or authorities.</p> : null}
      <ol className="timeline">
        {items.map((c) => (
          <li key={c.id} className="tl-item tl-worklog">
            <div className="tl-meta">
              <strong>{c.author ?? 'system'}</strong>
              <span className="badge subtle">to {humanize(c.audience ?? 'internal')}</span>
              <time dateTime={c.created_at}>{formatRelative(c.created_at)}</time>
            </div>
            <div className="tl-body">{c.body}</div>
          </li>
        ))}
      </ol>
      <ErrorMessage>{log.error ? describeError(log.error) : null}</ErrorMessage>
      {can.work && incident.status !== 'closed' ? (
        <form onSubmit={send} className="stack" noValidate>
          <ErrorMessage>{errors.form}</ErrorMessage>
          <Field label="Audience" error={errors.fields.audience}>
            {(p) => (
              <select {...p} value={audience} onChange={(e) => setAudience(e.target.value)}>
                {AUDIENCES.map((a) => (
                  <option key={a} value={a}>
                    {humanize(a)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Message" error={errors.fields.body}>
            {(p) => <textarea {...p} rows={3} value={body} onChange={(e) => setBody(e.target.value)} />}
          </Field>
          <div className="form-actions">
            <button type="submit" className="btn" disabled={!body.trim()}>
              Record communication
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
