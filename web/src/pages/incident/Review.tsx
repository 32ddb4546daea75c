import { useEffect, useState, type FormEvent } from 'react';
import { api, idempotencyKey } from '../../api/client';
import type { ImprovementAction, Incident, LessonsLearned, Page, Review as ReviewT, User } from '../../api/types';
import { ErrorMessage, Field, Notice } from '../../components/ui';
import { formatDateTime, localInputToIso } from '../../lib/format';
import { useApi } from '../../lib/hooks';
import { describeError, formErrors, NO_ERRORS, type FormErrors } from '../../lib/problem';
import { useMe } from '../../lib/session';
import { incidentPaths } from './paths';

const LL_FIELDS: { key: keyof LessonsLearned; label: string; hint: string }[] = [
  { key: 'what_happened', label: 'What happened', hint: 'The course of events, briefly.' },
  { key: 'root_cause', label: 'Root cause', hint: 'Why it could happen.' },
  { key: 'went_well', label: 'What went well', hint: 'What to keep doing.' },
  { key: 'to_improve', label: 'What to improve', hint: 'What to change so it does not happen again, or is handled better.' },
];

// The closure review (ISO 27001 5.27): lessons learned and improvement actions, required before
// a P1, P2 or major incident may close, or an incident manager's waiver.
export function Review({ incident, workers, onChanged }: { incident: Incident; workers: User[]; onChanged: () => void }) {
  const { can } = useMe();
  const review = useApi<ReviewT>(incidentPaths(incident.key).review);
  const actions = useApi<Page<ImprovementAction>>(incidentPaths(incident.key).actions);
  const [form, setForm] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const r = review.data;

  useEffect(() => {
    if (r?.lessons_learned) {
      const ll = r.lessons_learned;
      setForm({ what_happened: ll.what_happened, root_cause: ll.root_cause, went_well: ll.went_well, to_improve: ll.to_improve });
    }
  }, [r?.lessons_learned]);

  const relevant = ['resolved', 'closed'].includes(incident.status) || r?.lessons_learned || (actions.data?.items.length ?? 0) > 0;
  if (!r || !relevant) return null;
  const editable = can.work && incident.status !== 'closed';

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    setSaved(false);
    try {
      await api.put(`/api/v1/incidents/${incident.key}/lessons-learned`, form);
      setSaved(true);
      await review.reload();
      onChanged();
    } catch (err) {
      setErrors(formErrors(err, LL_FIELDS.map((f) => f.key)));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card review" aria-labelledby="review-h">
      <h2 id="review-h">Lessons learned</h2>
      {r.required ? (
        r.closure_blocker ? (
          <Notice kind="warning">Before this incident can close: {r.closure_blocker}.</Notice>
        ) : (
          <Notice kind="success">The review is complete; the incident may be closed.</Notice>
        )
      ) : (
        <p className="muted">Optional for this incident: record what you learned if it helps next time.</p>
      )}
      {r.waiver?.by ? (
        <p className="muted">
          Waived by {r.waiver.by} {r.waiver.at ? `on ${formatDateTime(r.waiver.at)}` : ''}: {r.waiver.reason}
        </p>
      ) : null}
      {editable ? (
        <form onSubmit={save} noValidate className="stack">
          <ErrorMessage>{errors.form}</ErrorMessage>
          {LL_FIELDS.map((f) => (
            <Field key={f.key} label={f.label} hint={f.hint} required error={errors.fields[f.key]}>
              {(p) => <textarea {...p} rows={3} value={form[f.key] ?? ''} onChange={(e) => setForm((x) => ({ ...x, [f.key]: e.target.value }))} />}
            </Field>
          ))}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Saving…' : 'Save lessons learned'}
            </button>
            {saved ? <span className="saved" role="status">Saved</span> : null}
          </div>
        </form>
      ) : r.lessons_learned ? (
        <dl className="facts block">
          {LL_FIELDS.map((f) => (
            <div key={f.key}>
              <dt>{f.label}</dt>
              <dd className="prose">{r.lessons_learned![f.key]}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      <ImprovementActions incident={incident} actions={actions.data?.items ?? []} workers={workers} editable={editable} onChanged={async () => {
        await actions.reload();
        await review.reload();
        onChanged();
      }} />
      {can.manage && r.required && r.closure_blocker && incident.status === 'resolved' ? <Waiver incident={incident} onChanged={async () => {
        await review.reload();
        onChanged();
      }} /> : null}
    </section>
  );
}

function ImprovementActions({ incident, actions, workers, editable, onChanged }: { incident: Incident; actions: ImprovementAction[]; workers: User[]; editable: boolean; onChanged: () => Promise<void> }) {
  const { me } = useMe();
  const [title, setTitle] = useState('');
  const [owner, setOwner] = useState(me.username);
  const [due, setDue] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);

  async function add(e: FormEvent) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    try {
      const body: Record<string, unknown> = { title: title.trim(), owner };
      const at = localInputToIso(due);
      if (at) body.due_at = at;
      await api.post(`/api/v1/incidents/${incident.key}/improvement-actions`, body, { headers: { 'Idempotency-Key': idempotencyKey() } });
      setTitle('');
      setDue('');
      await onChanged();
    } catch (err) {
      setErrors(formErrors(err, ['title', 'owner', 'due_at']));
    }
  }

  return (
    <div className="improvements">
      <h3>Improvement actions</h3>
      {actions.length === 0 ? <p className="muted">None yet. Each action needs an owner.</p> : null}
      <ul className="plain">
        {actions.map((a) => (
          <li key={a.id}>
            <span className={`badge ${a.status === 'done' ? 'status-closed' : 'subtle'}`}>{a.status === 'done' ? 'Done' : 'Open'}</span> {a.title}{' '}
            <span className="muted small">
              owner {a.owner}
              {a.due_at ? ` · due ${formatDateTime(a.due_at)}` : ''}
            </span>
          </li>
        ))}
      </ul>
      {editable ? (
        <form className="inline-grid" onSubmit={add} noValidate>
          <ErrorMessage>{errors.form}</ErrorMessage>
          <Field label="Action" error={errors.fields.title}>
            {(p) => <input {...p} value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} placeholder="e.g. Enforce MFA on the VPN" />}
          </Field>
          <Field label="Owner" error={errors.fields.owner}>
            {(p) => (
              <select {...p} value={owner} onChange={(e) => setOwner(e.target.value)}>
                {workers.some((u) => u.username === me.username) ? null : <option value={me.username}>{me.username}</option>}
                {workers.map((u) => (
                  <option key={u.username} value={u.username}>
                    {u.display_name || u.username}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Due" error={errors.fields.due_at}>
            {(p) => <input {...p} type="date" value={due} onChange={(e) => setDue(e.target.value)} />}
          </Field>
          <button type="submit" className="btn" disabled={!title.trim()}>
            Add action
          </button>
        </form>
      ) : null}
    </div>
  );
}

function Waiver({ incident, onChanged }: { incident: Incident; onChanged: () => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function waive(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await api.post(`/api/v1/incidents/${incident.key}/lessons-learned/waiver`, { reason: reason.trim() });
      setOpen(false);
      await onChanged();
    } catch (err) {
      setError(describeError(err));
    }
  }

  if (!open) {
    return (
      <button type="button" className="btn btn-quiet" onClick={() => setOpen(true)}>
        Waive the review…
      </button>
    );
  }
  return (
    <form onSubmit={waive} className="panel" noValidate>
      <Field label="Why is no review needed?" required error={error ?? undefined} hint="The waiver is recorded in the audit trail with your name.">
        {(p) => <textarea {...p} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={!reason.trim()}>
          Waive
        </button>
        <button type="button" className="btn btn-quiet" onClick={() => setOpen(false)}>
          Back
        </button>
      </div>
    </form>
  );
}
