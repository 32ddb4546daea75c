import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { actorName, formatDateTime } from '../lib/format';
import type { Loaded } from '../lib/hooks';
import type { LegalHold as Hold, LegalHolds } from '../lib/evidence';
import { formErrors, NO_ERRORS, type FormErrors } from '../lib/problem';
import { useMe } from '../lib/session';
import { ErrorMessage, Field } from './ui';

export function legalHoldsPath(incidentKey: string) {
  return `/api/v1/incidents/${encodeURIComponent(incidentKey)}/legal-holds`;
}

// The incident's legal hold as a banner everyone who reads its evidence sees, and for incident
// and security managers the form that sets or releases it (a reason each time; both audited).
export function LegalHold({ incident, holds }: { incident: string; holds: Loaded<LegalHolds> }) {
  const { can } = useMe();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const active: Hold | undefined = holds.data?.items.find((h) => h.active);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const path = `/api/v1/incidents/${encodeURIComponent(incident)}/legal-hold${active ? '/release' : ''}`;
      await api.post(path, { reason: reason.trim() });
      setReason('');
      setOpen(false);
      await holds.reload();
    } catch (err) {
      setErrors(formErrors(err, ['reason']));
    } finally {
      setBusy(false);
    }
  }

  if (!holds.data) return null;
  return (
    <div className="legal-hold">
      {active ? (
        <div className="legal-hold-banner" role="status">
          <strong>Legal hold</strong>
          <span>
            since {formatDateTime(active.set_at)}, set by {actorName(active.set_by)}
            {active.reason ? `: ${active.reason}` : ''}. No evidence of {incident} can be disposed of until it is released.
          </span>
        </div>
      ) : null}
      {can.legalHold ? (
        open ? (
          <form className="legal-hold-form" onSubmit={submit} noValidate aria-label={active ? 'Release the legal hold' : 'Put under legal hold'}>
            <ErrorMessage>{errors.form}</ErrorMessage>
            <Field label={active ? 'Why the hold is released' : 'Why the incident is put under legal hold'} error={errors.fields.reason}>
              {(p) => <input {...p} value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} placeholder={active ? 'e.g. Case settled' : 'e.g. Litigation expected'} />}
            </Field>
            <div className="button-row">
              <button type="submit" className={`btn ${active ? 'btn-secondary' : 'btn-danger'}`} disabled={busy}>
                {active ? 'Release the hold' : 'Put under legal hold'}
              </button>
              <button type="button" className="btn btn-quiet" onClick={() => setOpen(false)}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <button type="button" className="btn btn-quiet" onClick={() => setOpen(true)}>
            {active ? 'Release the legal hold…' : 'Legal hold…'}
          </button>
        )
      ) : null}
    </div>
  );
}
