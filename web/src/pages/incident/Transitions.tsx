import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api/client';
import type { Incident, Status, User } from '../../api/types';
import { CheckField, ErrorMessage, Field } from '../../components/ui';
import { CANCEL_REASONS, PENDING_REASONS, RESOLUTION_CODES, TRANSITION_VERBS } from '../../lib/priority';
import { formErrors, NO_ERRORS, type FormErrors } from '../../lib/problem';
import { useMe } from '../../lib/session';

const FIELDS = ['to', 'pending_reason', 'resolution_code', 'resolution_notes', 'cancel_reason', 'duplicate_of', 'cascade', 'assignee'];

// One button per transition the server says this user may take now; those that need input
// open a short form under the buttons.
export function Transitions({ incident, workers, onChanged }: { incident: Incident; workers: User[]; onChanged: (i: Incident) => void }) {
  const { me } = useMe();
  const [open, setOpen] = useState<Status | null>(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [input, setInput] = useState<Record<string, string | boolean>>({});

  if (incident.allowed_transitions.length === 0) return null;

  function choose(to: Status) {
    setErrors(NO_ERRORS);
    setInput(to === 'assigned' ? { assignee: me.username } : {});
    const needsInput = ['pending', 'resolved', 'cancelled', 'assigned'].includes(to);
    if (needsInput) setOpen(open === to ? null : to);
    else void take(to, {});
  }

  async function take(to: Status, body: Record<string, unknown>) {
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      let updated: Incident;
      if (to === 'assigned' && incident.status === 'new') {
        // Assigning someone is what moves a new incident to 'assigned'.
        updated = await api.patch<Incident>(`/api/v1/incidents/${incident.key}`, { assignee: body.assignee || null }, incident.version);
        if (updated.status === 'new') {
          updated = await api.post<Incident>(`/api/v1/incidents/${incident.key}/transitions`, { to });
        }
      } else {
        updated = await api.post<Incident>(`/api/v1/incidents/${incident.key}/transitions`, { to, ...body });
      }
      setOpen(null);
      onChanged(updated);
    } catch (err) {
      setErrors(formErrors(err, FIELDS));
      // A stale version, or a move someone else made first: show the incident as it is now,
      // with the transitions that are open from there.
      if (err instanceof ApiError && (err.status === 412 || err.status === 409)) {
        onChanged(await api.get<Incident>(`/api/v1/incidents/${incident.key}`));
      }
    } finally {
      setBusy(false);
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!open) return;
    const body: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) if (v !== '' && v !== false) body[k] = v;
    void take(open, body);
  }

  const str = (k: string) => (typeof input[k] === 'string' ? (input[k] as string) : '');
  const set = (k: string, v: string | boolean) => setInput((i) => ({ ...i, [k]: v }));

  return (
    <section className="transitions" aria-label="Move this incident">
      <div className="button-row">
        {incident.allowed_transitions.map((to) => (
          <button
            key={to}
            type="button"
            className={`btn${to === 'cancelled' ? ' btn-danger-quiet' : open === to ? ' btn-primary' : ' btn-secondary'}`}
            aria-expanded={['pending', 'resolved', 'cancelled', 'assigned'].includes(to) ? open === to : undefined}
            onClick={() => choose(to)}
            disabled={busy}
          >
            {TRANSITION_VERBS[to] ?? to}
          </button>
        ))}
      </div>
      {!open ? <ErrorMessage>{errors.form ?? Object.values(errors.fields)[0]}</ErrorMessage> : null}
      {open ? (
        <form className="panel transition-form" onSubmit={submit} noValidate>
          <h3>{TRANSITION_VERBS[open]}</h3>
          <ErrorMessage>{errors.form}</ErrorMessage>
          {open === 'assigned' ? (
            <Field label="Assign to" error={errors.fields.assignee}>
              {(p) => (
                <select {...p} value={str('assignee')} onChange={(e) => set('assignee', e.target.value)}>
                  {workers.map((u) => (
                    <option key={u.username} value={u.username}>
                      {u.username === me.username ? `Me (${u.username})` : `${u.display_name || u.username} (${u.username})`}
                    </option>
                  ))}
                  {workers.some((u) => u.username === me.username) ? null : <option value={me.username}>Me ({me.username})</option>}
                </select>
              )}
            </Field>
          ) : null}
          {open === 'pending' ? (
            <Field label="Waiting for" required error={errors.fields.pending_reason} hint="The SLA clocks pause until work resumes.">
              {(p) => (
                <select {...p} value={str('pending_reason')} onChange={(e) => set('pending_reason', e.target.value)}>
                  <option value="">Choose…</option>
                  {Object.entries(PENDING_REASONS).map(([k, v]) => (
                    <option key={k} value={k}>
                      {v}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ) : null}
          {open === 'resolved' ? (
            <>
              <Field label="Resolution" required error={errors.fields.resolution_code}>
                {(p) => (
                  <select {...p} value={str('resolution_code')} onChange={(e) => set('resolution_code', e.target.value)}>
                    <option value="">Choose…</option>
                    {Object.entries(RESOLUTION_CODES).map(([k, v]) => (
                      <option key={k} value={k}>
                        {v}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="What was done" required error={errors.fields.resolution_notes}>
                {(p) => <textarea {...p} rows={3} value={str('resolution_notes')} onChange={(e) => set('resolution_notes', e.target.value)} />}
              </Field>
              <CheckField label="Also resolve the open child incidents" checked={input.cascade === true} onChange={(v) => set('cascade', v)} error={errors.fields.cascade} />
            </>
          ) : null}
          {open === 'cancelled' ? (
            <>
              <Field label="Why cancel" required error={errors.fields.cancel_reason}>
                {(p) => (
                  <select {...p} value={str('cancel_reason')} onChange={(e) => set('cancel_reason', e.target.value)}>
                    <option value="">Choose…</option>
                    {Object.entries(CANCEL_REASONS).map(([k, v]) => (
                      <option key={k} value={k}>
                        {v}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {input.cancel_reason === 'duplicate' ? (
                <Field label="Duplicate of" required error={errors.fields.duplicate_of} hint="The key of the incident this one repeats, e.g. INC-000042.">
                  {(p) => <input {...p} value={str('duplicate_of')} onChange={(e) => set('duplicate_of', e.target.value.trim().toUpperCase())} />}
                </Field>
              ) : null}
            </>
          ) : null}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Saving…' : TRANSITION_VERBS[open]}
            </button>
            <button type="button" className="btn btn-quiet" onClick={() => setOpen(null)}>
              Back
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
