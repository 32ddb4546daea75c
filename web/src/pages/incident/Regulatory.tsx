import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { Incident } from '../../api/types';
import { ErrorMessage, Field, Notice } from '../../components/ui';
import { formatDateTime, isoToLocalInput, localInputToIso } from '../../lib/format';
import { prefetch, useApi, useNow } from '../../lib/hooks';
import { useLiveChanges } from '../../lib/live';
import { formErrors, NO_ERRORS, type FormErrors } from '../../lib/problem';
import { useMe } from '../../lib/session';
import { formatDuration } from '../../lib/sla';

// The regulatory deadlines of an incident (GDPR Art. 33, NIS2 Art. 23): the flags, each
// obligation with its deadline, the time left and its state, and the record of what was sent to
// the authority. Deadlines are computed by the server in UTC and shown in the browser's time.

type RegimeName = 'gdpr' | 'nis2';
type ObligationState = 'open' | 'met' | 'met_late' | 'overdue';

interface RegimeFlag {
  flagged: boolean;
  aware_at: string | null;
  flagged_at: string | null;
  flagged_by: string | null;
  withdrawn_at: string | null;
  withdrawn_by: string | null;
  withdraw_reason: string | null;
}

interface Obligation {
  obligation: string;
  regime: RegimeName;
  title: string;
  starts_at: string;
  due_at: string;
  remaining_seconds: number | null;
  state: ObligationState;
  submitted_at: string | null;
  recipient: string | null;
  reference: string | null;
  note: string | null;
  recorded_by: string | null;
  recorded_at: string | null;
  overdue_at: string | null;
  reminders_percent: number[];
}

interface RegulatoryState {
  incident: string;
  now: string;
  regimes: Record<RegimeName, RegimeFlag>;
  obligations: Obligation[];
}

const REGIMES: { name: RegimeName; flagLabel: string; flaggedText: string; authority: string }[] = [
  { name: 'gdpr', flagLabel: 'Personal-data breach (GDPR)', flaggedText: 'Personal-data breach under GDPR Art. 33', authority: 'the supervisory authority' },
  { name: 'nis2', flagLabel: 'Significant incident (NIS2)', flaggedText: 'Significant incident under NIS2 Art. 23', authority: 'the CSIRT or competent authority' },
];

const STATE_LABELS: Record<ObligationState, string> = { open: 'Open', met: 'Met', met_late: 'Met late', overdue: 'Overdue' };
const STATE_CLASSES: Record<ObligationState, string> = { open: 'sla-ok', met: 'sla-met', met_late: 'sla-at_risk', overdue: 'sla-breached' };

const regulatoryPath = (incidentKey: string) => `/api/v1/incidents/${incidentKey}/regulatory`;

// Asked for together with the incident, not after it (no waterfall on the incident page).
export function prefetchRegulatory(incidentKey: string) {
  prefetch(regulatoryPath(incidentKey));
}

export function Regulatory({ incident }: { incident: Incident }) {
  const { can } = useMe();
  const path = regulatoryPath(incident.key);
  const state = useApi<RegulatoryState>(can.work || can.readOnly ? path : null);
  // Another manager's change, or the sweep marking a deadline overdue, shows without a reload.
  useLiveChanges((c) => {
    if (c.type === 'resync' || (c.type === 'incident' && c.key === incident.key && c.action?.startsWith('incident.regulatory_'))) void state.reload();
  });
  const s = state.data;
  if (!s) return null;
  const anyFlag = s.regimes.gdpr.flagged || s.regimes.nis2.flagged;
  if (!anyFlag && !can.manage) return null;

  return (
    <section className="card regulatory" aria-labelledby="regulatory-h">
      <h2 id="regulatory-h">Regulatory deadlines</h2>
      <div className="regulatory-flags">
        {REGIMES.map((r) => (
          <RegimeControl key={r.name} path={path} regime={r} flag={s.regimes[r.name]} editable={can.manage} onChanged={() => void state.reload()} />
        ))}
      </div>
      {s.obligations.length > 0 ? (
        <ul className="plain regulatory-obligations" aria-label="Obligations">
          {s.obligations.map((o) => (
            <ObligationItem key={o.obligation} path={path} obligation={o} editable={can.manage} onChanged={() => void state.reload()} />
          ))}
        </ul>
      ) : (
        <p className="muted">Not flagged: no regulatory deadlines run for this incident.</p>
      )}
    </section>
  );
}

function RegimeControl({ path, regime, flag, editable, onChanged }: { path: string; regime: (typeof REGIMES)[number]; flag: RegimeFlag; editable: boolean; onChanged: () => void }) {
  const [open, setOpen] = useState(false);
  const [awareAt, setAwareAt] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const change: Record<string, unknown> = { flagged: !flag.flagged };
      const at = localInputToIso(awareAt);
      if (!flag.flagged && at) change.aware_at = at;
      const body: Record<string, unknown> = { [regime.name]: change };
      if (flag.flagged) body.reason = reason.trim();
      await api.put(path, body);
      setOpen(false);
      setAwareAt('');
      setReason('');
      onChanged();
    } catch (err) {
      setErrors(formErrors(err, [regime.name, 'reason']));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="regulatory-flag" data-regime={regime.name}>
      {flag.flagged ? (
        <p>
          <span className="badge sla-breached">{regime.flaggedText}</span>{' '}
          <span className="muted small">
            aware since {formatDateTime(flag.aware_at)}
            {flag.flagged_by ? ` · flagged by ${flag.flagged_by}` : ''}
          </span>
        </p>
      ) : flag.withdrawn_at ? (
        <p className="muted small">
          {regime.flagLabel}: withdrawn by {flag.withdrawn_by ?? 'someone'} on {formatDateTime(flag.withdrawn_at)} — {flag.withdraw_reason}
        </p>
      ) : null}
      {editable && !open ? (
        <button type="button" className={flag.flagged ? 'btn btn-quiet' : 'btn'} onClick={() => setOpen(true)}>
          {flag.flagged ? `Withdraw: ${regime.flagLabel}` : `Flag: ${regime.flagLabel}`}
        </button>
      ) : null}
      {editable && open ? (
        <form onSubmit={submit} noValidate className="stack" aria-label={flag.flagged ? `Withdraw ${regime.flagLabel}` : `Flag ${regime.flagLabel}`}>
          <ErrorMessage>{errors.form}</ErrorMessage>
          {flag.flagged ? (
            <Field label="Reason for withdrawing" hint="The clock has started: the reason is kept in the audit trail." required error={errors.fields.reason ?? errors.fields[regime.name]}>
              {(p) => <textarea {...p} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />}
            </Field>
          ) : (
            <Field label="Aware since" hint="When the organisation became aware; leave empty for now. Never in the future." error={errors.fields[regime.name]}>
              {(p) => <input {...p} type="datetime-local" value={awareAt} max={isoToLocalInput(new Date().toISOString())} onChange={(e) => setAwareAt(e.target.value)} />}
            </Field>
          )}
          <div className="form-actions">
            <button type="submit" className={flag.flagged ? 'btn btn-danger' : 'btn btn-primary'} disabled={busy}>
              {flag.flagged ? 'Withdraw flag' : `Flag as ${regime.flagLabel}`}
            </button>
            <button type="button" className="btn btn-quiet" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}

function remainingText(o: Obligation, now: number): string {
  if (o.submitted_at) return `sent ${formatDateTime(o.submitted_at)}`;
  const left = Date.parse(o.due_at) - now;
  return left >= 0 ? `${formatDuration(left, true)} left` : `overdue by ${formatDuration(-left)}`;
}

function liveState(o: Obligation, now: number): ObligationState {
  if (o.submitted_at) return o.state;
  return Date.parse(o.due_at) < now ? 'overdue' : 'open';
}

function ObligationItem({ path, obligation: o, editable, onChanged }: { path: string; obligation: Obligation; editable: boolean; onChanged: () => void }) {
  const now = useNow();
  const [open, setOpen] = useState(false);
  const state = liveState(o, now);
  return (
    <li className="regulatory-obligation" data-obligation={o.obligation} data-state={state}>
      <div className="regulatory-obligation-head">
        <strong>{o.title}</strong> <span className={`badge sla ${STATE_CLASSES[state]}`}>{STATE_LABELS[state]}</span>
      </div>
      <div className="muted small">
        due {formatDateTime(o.due_at)} · <span className="regulatory-remaining">{remainingText(o, now)}</span>
      </div>
      {o.submitted_at ? (
        <div className="small">
          Sent to {o.recipient} on {formatDateTime(o.submitted_at)}
          {o.reference ? `, reference ${o.reference}` : ''}
          {o.recorded_by ? ` · recorded by ${o.recorded_by}` : ''}
          {o.note ? <div className="prose">{o.note}</div> : null}
        </div>
      ) : null}
      {editable && !o.submitted_at && !open ? (
        <button type="button" className="btn" aria-label={`Record submission: ${o.title}`} onClick={() => setOpen(true)}>
          Record submission
        </button>
      ) : null}
      {open ? <SubmissionForm path={path} obligation={o} onDone={() => { setOpen(false); onChanged(); }} onCancel={() => setOpen(false)} /> : null}
    </li>
  );
}

function SubmissionForm({ path, obligation, onDone, onCancel }: { path: string; obligation: Obligation; onDone: () => void; onCancel: () => void }) {
  const [form, setForm] = useState({ submitted_at: isoToLocalInput(new Date().toISOString()), recipient: '', reference: '', note: '' });
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const body: Record<string, unknown> = { obligation: obligation.obligation, submitted_at: localInputToIso(form.submitted_at), recipient: form.recipient.trim() };
      if (form.reference.trim()) body.reference = form.reference.trim();
      if (form.note.trim()) body.note = form.note.trim();
      await api.post(`${path}/submissions`, body);
      onDone();
    } catch (err) {
      setErrors(formErrors(err, ['submitted_at', 'recipient', 'reference', 'note']));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="stack" aria-label={`Record submission: ${obligation.title}`}>
      <ErrorMessage>{errors.form}</ErrorMessage>
      {Date.parse(obligation.due_at) < Date.now() ? <Notice kind="warning">The deadline has passed: this will be recorded as met late.</Notice> : null}
      <Field label="Submitted at" hint="When it was sent, in your time zone." required error={errors.fields.submitted_at}>
        {(p) => <input {...p} type="datetime-local" value={form.submitted_at} onChange={set('submitted_at')} />}
      </Field>
      <Field label="Sent to (authority)" required error={errors.fields.recipient}>
        {(p) => <input {...p} type="text" maxLength={200} value={form.recipient} onChange={set('recipient')} />}
      </Field>
      <Field label="Reference number" hint="The authority's reference, if it gave one." error={errors.fields.reference}>
        {(p) => <input {...p} type="text" maxLength={200} value={form.reference} onChange={set('reference')} />}
      </Field>
      <Field label="Note" error={errors.fields.note}>
        {(p) => <textarea {...p} rows={2} value={form.note} onChange={set('note')} />}
      </Field>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Record submission'}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
