import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../api/client';
import { type Category, type Dismissal, type EventReport, type Impact, type Page, type Urgency } from '../api/types';
import { ClassificationFields } from '../components/ClassificationFields';
import { EventStatusBadge } from '../components/EventStatusBadge';
import { ErrorMessage, Field, Loading, Notice, PageHeader } from '../components/ui';
import { DISMISSAL_LABELS, isDecided, normaliseKey, outcomeWords, reporterName } from '../lib/events';
import { actorName, formatDateTime } from '../lib/format';
import { useApi, useTitle } from '../lib/hooks';
import { describeError, formErrors, NO_ERRORS, type FormErrors } from '../lib/problem';
import { useMe } from '../lib/session';
import { NotFound } from './NotFound';
import { ReportAttachments, ReportNotes } from './event/ReportFiles';

// One report (EVT-…): what was reported and what became of it; for the service desk also the
// classification and the three decisions (dismiss, merge, promote).
export default function EventPage() {
  const { key = '' } = useParams();
  const { can } = useMe();
  useTitle(key);
  const report = useApi<EventReport>(`/api/v1/events/${encodeURIComponent(key)}`);
  const e = report.data;

  if (report.loading && !e) return <Loading what={`Loading ${key}`} />;
  if (!e) {
    if ((report.error as { status?: number })?.status === 404) return <NotFound message={`There is no report ${key}, or you may not see it.`} />;
    return (
      <div className="page narrow">
        <ErrorMessage>{describeError(report.error)}</ErrorMessage>
      </div>
    );
  }
  const decided = isDecided(e);
  const triage = can.work && !decided;

  return (
    <div className="page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        {can.work ? <Link to="/triage">Triage</Link> : <Link to="/">My reports</Link>} <span aria-hidden="true">›</span> {e.key}
      </nav>
      <PageHeader
        title={e.title}
        subtitle={
          <>
            <span className="key big">{e.key}</span> <EventStatusBadge status={e.status} />{' '}
            <span className="badge status">{e.kind === 'weakness' ? 'Weakness' : 'Event'}</span>
          </>
        }
      />
      {decided ? <Outcome report={e} toReporter={!can.work} /> : <Notice>{outcomeWords(e, !can.work)}</Notice>}
      <section className="card" aria-labelledby="h-reported">
        <h2 id="h-reported">What was reported</h2>
        <dl className="event-facts">
          <Fact label="Reported by">{reporterName(e)}</Fact>
          <Fact label="Reported">
            {formatDateTime(e.created_at)} ({e.channel})
          </Fact>
          <Fact label="Details">{e.description}</Fact>
          <Fact label="What was seen">{e.observed}</Fact>
          <Fact label="When">{e.observed_at ? formatDateTime(e.observed_at) : ''}</Fact>
          <Fact label="Where">{e.location}</Fact>
          {e.classification.category ? (
            <Fact label="Classification">
              {e.classification.category}
              {e.classification.subcategory ? ` / ${e.classification.subcategory}` : ''}
              {e.classification.impact ? `, impact ${e.classification.impact}` : ''}
              {e.classification.urgency ? `, urgency ${e.classification.urgency}` : ''}
              {e.classification.by ? ` — by ${actorName(e.classification.by)}` : ''}
            </Fact>
          ) : null}
        </dl>
      </section>
      <ReportAttachments reportKey={e.key} />
      <ReportNotes reportKey={e.key} open={!decided} />
      {triage ? <TriageForms report={e} onChange={(next) => report.setData(next)} /> : null}
    </div>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  if (children === '' || children === null || children === undefined) return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

function Outcome({ report: e, toReporter }: { report: EventReport; toReporter: boolean }) {
  return (
    <div className="success-panel" role="status">
      <h2>Decided: {outcomeWords(e, toReporter)}</h2>
      {e.decision?.reason ? <p>Reason: {e.decision.reason}</p> : null}
      <p className="muted small">
        {e.decision?.by ? `By ${actorName(e.decision.by)}` : ''}
        {e.decision?.at ? `, ${formatDateTime(e.decision.at)}` : ''}
      </p>
      {e.incident ? (
        <div className="form-actions">
          <Link to={`/incidents/${e.incident}`} className="btn btn-primary">
            Open {e.incident}
          </Link>
        </div>
      ) : null}
    </div>
  );
}

// Posts a form and splits the API's problem+json into the errors next to its fields.
function useSubmit(fields: readonly string[], onDone: (e: EventReport) => void) {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  async function post(path: string, body: Record<string, unknown>) {
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      onDone(await api.post<EventReport>(path, body));
    } catch (err) {
      setErrors(formErrors(err, fields));
    } finally {
      setBusy(false);
    }
  }
  return { busy, errors, setErrors, post };
}

function TriageForms({ report: e, onChange }: { report: EventReport; onChange: (e: EventReport) => void }) {
  const base = `/api/v1/events/${e.key}`;
  return (
    <>
      <Classify report={e} base={base} onChange={onChange} />
      <section aria-labelledby="h-decide">
        <h2 id="h-decide">Decide</h2>
        <p className="muted">A decision is final and the reporter is told about it. Every decision needs a reason.</p>
        <div className="decisions">
          <Promote base={base} onChange={onChange} />
          <Merge base={base} onChange={onChange} />
          <Dismiss base={base} onChange={onChange} />
        </div>
      </section>
    </>
  );
}

function Classify({ report: e, base, onChange }: { report: EventReport; base: string; onChange: (e: EventReport) => void }) {
  const categories = useApi<Page<Category>>('/api/v1/categories', { cached: true });
  const [category, setCategory] = useState(e.classification.category ?? '');
  const [subcategory, setSubcategory] = useState(e.classification.subcategory ?? '');
  const [impact, setImpact] = useState<Impact>(e.classification.impact ?? 'minor');
  const [urgency, setUrgency] = useState<Urgency>(e.classification.urgency ?? 'medium');
  const [saved, setSaved] = useState(false);
  const s = useSubmit(['category', 'subcategory', 'impact', 'urgency'], (next) => {
    setSaved(true);
    onChange(next);
  });

  function submit(ev: FormEvent) {
    ev.preventDefault();
    setSaved(false);
    if (!category) {
      s.setErrors({ fields: { category: 'Choose a category.' }, form: null });
      return;
    }
    const body: Record<string, unknown> = { category, impact, urgency };
    if (subcategory) body.subcategory = subcategory;
    void s.post(`${base}/classification`, body);
  }

  return (
    <section className="card" aria-labelledby="h-classify">
      <h2 id="h-classify">Classify</h2>
      <form onSubmit={submit} noValidate className="stack">
        <ErrorMessage>{s.errors.form}</ErrorMessage>
        <ClassificationFields
          value={{ category, subcategory, impact, urgency }}
          onChange={(next) => {
            setCategory(next.category);
            setSubcategory(next.subcategory);
            setImpact(next.impact);
            setUrgency(next.urgency);
          }}
          categories={categories.data?.items ?? []}
          errors={s.errors.fields}
        />
        <div className="form-actions">
          <button type="submit" className="btn" disabled={s.busy}>
            {s.busy ? 'Saving…' : 'Save classification'}
          </button>
          {saved ? <span role="status" className="muted">Classification saved.</span> : null}
        </div>
      </form>
    </section>
  );
}

function Reason({ value, onChange, error, hint }: { value: string; onChange: (v: string) => void; error?: string; hint?: string }) {
  return (
    <Field label="Reason" required error={error} hint={hint}>
      {(p) => <textarea {...p} rows={3} value={value} onChange={(x) => onChange(x.target.value)} />}
    </Field>
  );
}

function Promote({ base, onChange }: { base: string; onChange: (e: EventReport) => void }) {
  const [reason, setReason] = useState('');
  const s = useSubmit(['reason'], onChange);
  function submit(ev: FormEvent) {
    ev.preventDefault();
    if (!reason.trim()) return s.setErrors({ fields: { reason: 'Say why this becomes an incident.' }, form: null });
    void s.post(`${base}/promote`, { reason: reason.trim() });
  }
  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="h-promote">
      <h3 id="h-promote">Promote to a new incident</h3>
      <p className="muted small">The incident takes over the report's text, classification, reporter and files.</p>
      <ErrorMessage>{s.errors.form}</ErrorMessage>
      <Reason value={reason} onChange={setReason} error={s.errors.fields.reason} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={s.busy}>
          {s.busy ? 'Promoting…' : 'Promote'}
        </button>
      </div>
    </form>
  );
}

function Merge({ base, onChange }: { base: string; onChange: (e: EventReport) => void }) {
  const [incident, setIncident] = useState('');
  const [reason, setReason] = useState('');
  const s = useSubmit(['incident', 'reason'], onChange);
  function submit(ev: FormEvent) {
    ev.preventDefault();
    const local: Record<string, string> = {};
    if (!incident.trim()) local.incident = 'Name the incident, like INC-000123.';
    if (!reason.trim()) local.reason = 'Say why it belongs to that incident.';
    if (Object.keys(local).length) return s.setErrors({ fields: local, form: null });
    void s.post(`${base}/merge`, { incident: normaliseKey(incident, ['INC']) ?? incident.trim(), reason: reason.trim() });
  }
  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="h-merge">
      <h3 id="h-merge">Merge into an incident</h3>
      <p className="muted small">For an incident already being worked: it gets the report's text and files.</p>
      <ErrorMessage>{s.errors.form}</ErrorMessage>
      <Field label="Incident" required error={s.errors.fields.incident} hint="Its key, like INC-000123">
        {(p) => <input {...p} value={incident} onChange={(x) => setIncident(x.target.value)} autoComplete="off" />}
      </Field>
      <Reason value={reason} onChange={setReason} error={s.errors.fields.reason} />
      <div className="form-actions">
        <button type="submit" className="btn" disabled={s.busy}>
          {s.busy ? 'Merging…' : 'Merge'}
        </button>
      </div>
    </form>
  );
}

function Dismiss({ base, onChange }: { base: string; onChange: (e: EventReport) => void }) {
  const [code, setCode] = useState<Dismissal | ''>('');
  const [duplicateOf, setDuplicateOf] = useState('');
  const [reason, setReason] = useState('');
  const s = useSubmit(['code', 'duplicate_of', 'reason'], onChange);
  function submit(ev: FormEvent) {
    ev.preventDefault();
    const local: Record<string, string> = {};
    if (!code) local.code = 'Choose why it is dismissed.';
    if (code === 'duplicate' && !duplicateOf.trim()) local.duplicate_of = 'Name the report or incident it repeats.';
    if (!reason.trim()) local.reason = 'Say why, in words the reporter will read.';
    if (Object.keys(local).length) return s.setErrors({ fields: local, form: null });
    const body: Record<string, unknown> = { code, reason: reason.trim() };
    if (code === 'duplicate') body.duplicate_of = normaliseKey(duplicateOf) ?? duplicateOf.trim();
    void s.post(`${base}/dismiss`, body);
  }
  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="h-dismiss">
      <h3 id="h-dismiss">Dismiss</h3>
      <p className="muted small">Nothing more to do: the report is closed with the reason.</p>
      <ErrorMessage>{s.errors.form}</ErrorMessage>
      <Field label="Why dismissed" required error={s.errors.fields.code}>
        {(p) => (
          <select {...p} value={code} onChange={(x) => setCode(x.target.value as Dismissal | '')}>
            <option value="">Choose…</option>
            {Object.entries(DISMISSAL_LABELS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        )}
      </Field>
      {code === 'duplicate' ? (
        <Field label="Duplicate of" required error={s.errors.fields.duplicate_of} hint="The report or incident it repeats, like EVT-000012 or INC-000034">
          {(p) => <input {...p} value={duplicateOf} onChange={(x) => setDuplicateOf(x.target.value)} autoComplete="off" />}
        </Field>
      ) : null}
      <Reason value={reason} onChange={setReason} error={s.errors.fields.reason} />
      <div className="form-actions">
        <button type="submit" className="btn" disabled={s.busy}>
          {s.busy ? 'Dismissing…' : 'Dismiss'}
        </button>
      </div>
    </form>
  );
}
