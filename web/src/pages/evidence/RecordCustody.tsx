import { useEffect, useState, type FormEvent } from 'react';
import { api, idempotencyKey } from '../../api/client';
import { ErrorMessage, Field, Notice } from '../../components/ui';
import { ACTION_LABELS, actionFields, recordableActions, type CustodyEntry, type EvidenceItem, type RecordableAction } from '../../lib/evidence';
import { localInputToIso } from '../../lib/format';
import { formErrors, NO_ERRORS, type FormErrors } from '../../lib/problem';

const FIELDS = ['action', 'from', 'to', 'at', 'location', 'purpose'] as const;

const HINTS: Record<RecordableAction, string> = {
  received: 'Someone took the item into their keeping; they become its holder.',
  transferred: 'The holder handed it to someone else.',
  analysed: 'It was examined; say how and why.',
  accessed: 'It was looked at or handled without a hand-over; say why.',
  returned: 'It went back to its owner or the place it came from.',
  disposed: 'It was destroyed or released for good. Nothing can be recorded after this.',
};

// Appends one entry to the chain of custody. Only the actions a person records are offered
// (custos writes collected, downloaded and exported itself), and no disposal under legal hold;
// whatever the server still refuses is shown next to the field it names.
export function RecordCustody({ item, legalHold, onRecorded }: { item: EvidenceItem; legalHold: boolean; onRecorded: () => Promise<void> }) {
  const actions = recordableActions(item, legalHold);
  const [action, setAction] = useState<RecordableAction>('transferred');
  const [from, setFrom] = useState(item.custodian);
  const [to, setTo] = useState('');
  const [at, setAt] = useState('');
  const [location, setLocation] = useState('');
  const [purpose, setPurpose] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [done, setDone] = useState<string | null>(null);
  const shows = actionFields(action);
  // A transfer starts from whoever holds the item now, also after someone else moved it.
  useEffect(() => setFrom(item.custodian), [item.custodian]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    setDone(null);
    try {
      const body: Record<string, unknown> = { action };
      if (shows.from && from.trim()) body.from = from.trim();
      if (shows.to && to.trim()) body.to = to.trim();
      if (at) body.at = localInputToIso(at) ?? at;
      if (location.trim()) body.location = location.trim();
      if (purpose.trim()) body.purpose = purpose.trim();
      const entry = await api.post<CustodyEntry>(`/api/v1/evidence/${item.key}/custody`, body, { headers: { 'Idempotency-Key': idempotencyKey() } });
      setDone(`${ACTION_LABELS[entry.action]} recorded.`);
      setTo('');
      setAt('');
      setPurpose('');
      await onRecorded();
    } catch (err) {
      setErrors(formErrors(err, FIELDS));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="ev-record-h">
      <h2 id="ev-record-h">Record custody</h2>
      <form onSubmit={submit} noValidate aria-labelledby="ev-record-h">
        <ErrorMessage>{errors.form}</ErrorMessage>
        {done ? <Notice kind="success">{done}</Notice> : null}
        <Field label="What happened" required error={errors.fields.action} hint={HINTS[action]}>
          {(p) => (
            <select
              {...p}
              value={action}
              onChange={(e) => {
                setAction(e.target.value as RecordableAction);
                setErrors(NO_ERRORS);
              }}
            >
              {actions.map((a) => (
                <option key={a} value={a}>
                  {ACTION_LABELS[a]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {legalHold ? <p className="muted small">Disposal is not offered: the incident is under legal hold.</p> : null}
        <div className="grid-2">
          {shows.from ? (
            <Field label="From" required error={errors.fields.from} hint="Who handed it over: its current holder.">
              {(p) => <input {...p} value={from} maxLength={200} onChange={(e) => setFrom(e.target.value)} />}
            </Field>
          ) : null}
          {shows.to ? (
            <Field label={action === 'received' ? 'Received by' : 'To'} required={shows.toRequired} error={errors.fields.to} hint={action === 'received' ? 'Empty: you.' : undefined}>
              {(p) => <input {...p} value={to} maxLength={200} onChange={(e) => setTo(e.target.value)} />}
            </Field>
          ) : null}
          <Field label="When" error={errors.fields.at} hint="Empty: now.">
            {(p) => <input {...p} type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />}
          </Field>
          <Field label="Location" error={errors.fields.location}>
            {(p) => <input {...p} value={location} maxLength={500} onChange={(e) => setLocation(e.target.value)} placeholder="e.g. forensics lab, room 2.14" />}
          </Field>
        </div>
        <Field label="Purpose" required={shows.purposeRequired} error={errors.fields.purpose}>
          {(p) => <textarea {...p} rows={2} value={purpose} maxLength={2000} onChange={(e) => setPurpose(e.target.value)} />}
        </Field>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Recording…' : 'Record'}
          </button>
        </div>
      </form>
    </section>
  );
}
