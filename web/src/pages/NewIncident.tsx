import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, idempotencyKey } from '../api/client';
import type { Category, Group, Impact, Incident, KnownErrorSuggestion, Page, PriorityMatrixVersion, Urgency, User } from '../api/types';
import { ClassificationFields } from '../components/ClassificationFields';
import { CheckField, ErrorMessage, Field, FieldGroup, PageHeader, PriorityBadge } from '../components/ui';
import { localInputToIso } from '../lib/format';
import { useApi, useDebounced, useTitle } from '../lib/hooks';
import { DEFAULT_MATRIX, PRIORITY_NAMES, priorityOf } from '../lib/priority';
import { formErrors, NO_ERRORS, type FormErrors } from '../lib/problem';

const FIELDS = ['title', 'description', 'category', 'subcategory', 'impact', 'urgency', 'assignee', 'group', 'restricted', 'tlp', 'personal_data', 'occurred_at', 'detected_at', 'affected_services', 'affected_assets', 'source', 'affects_confidentiality', 'affects_integrity', 'affects_availability'];

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

// Logging an incident for the service desk: classification, impact × urgency with the priority
// it gives, routing, and known errors suggested while the title is typed.
export function NewIncident() {
  useTitle('New incident');
  const navigate = useNavigate();
  const categories = useApi<Page<Category>>('/api/v1/categories', { cached: true });
  const groups = useApi<Page<Group>>('/api/v1/groups', { cached: true });
  const users = useApi<Page<User>>('/api/v1/users?limit=200', { cached: true });
  const matrix = useApi<PriorityMatrixVersion>('/api/v1/settings/priority-matrix', { cached: true });
  const [f, setF] = useState({
    title: '',
    description: '',
    category: '',
    subcategory: '',
    impact: 'moderate' as Impact,
    urgency: 'medium' as Urgency,
    assignee: '',
    group: '',
    restricted: false,
    tlp: 'amber',
    personal_data: false,
    source: 'phone',
    occurred_at: '',
    services: '',
    assets: '',
    c: false,
    i: false,
    a: false,
  });
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof typeof f>(k: K, v: (typeof f)[K]) => setF((x) => ({ ...x, [k]: v }));

  const typed = useDebounced(f.title.trim(), 250);
  const suggestions = useApi<{ items: KnownErrorSuggestion[] }>(typed.length >= 3 ? `/api/v1/known-errors/suggest?q=${encodeURIComponent(typed)}&limit=5` : null);
  const workers = (users.data?.items ?? []).filter((u) => u.active && u.roles.some((r) => ['agent', 'incident_manager', 'security_manager', 'admin'].includes(r)));
  const priority = priorityOf(matrix.data?.matrix ?? DEFAULT_MATRIX, f.impact, f.urgency);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!f.title.trim()) local.title = 'A title is required.';
    if (!f.category) local.category = 'Choose a category.';
    if (Object.keys(local).length) {
      setErrors({ fields: local, form: null });
      return;
    }
    const body: Record<string, unknown> = {
      title: f.title.trim(),
      description: f.description,
      category: f.category,
      impact: f.impact,
      urgency: f.urgency,
      restricted: f.restricted,
      tlp: f.tlp,
      personal_data: f.personal_data,
      source: f.source,
      affects_confidentiality: f.c,
      affects_integrity: f.i,
      affects_availability: f.a,
    };
    if (f.subcategory) body.subcategory = f.subcategory;
    if (f.assignee) body.assignee = f.assignee;
    if (f.group) body.group = f.group;
    const occurred = localInputToIso(f.occurred_at);
    if (occurred) body.occurred_at = occurred;
    if (f.services.trim()) body.affected_services = list(f.services);
    if (f.assets.trim()) body.affected_assets = list(f.assets);
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const created = await api.post<Incident>('/api/v1/incidents', body, { headers: { 'Idempotency-Key': idempotencyKey() } });
      navigate(`/incidents/${created.key}`);
    } catch (err) {
      const fe = formErrors(err, FIELDS);
      if (fe.fields.affected_services) fe.fields.services = fe.fields.affected_services;
      if (fe.fields.affected_assets) fe.fields.assets = fe.fields.affected_assets;
      setErrors(fe);
      setBusy(false);
    }
  }

  return (
    <div className="page">
      <PageHeader title="New incident" subtitle="Log an incident reported to the service desk or found by the team." />
      <form onSubmit={submit} noValidate className="new-incident">
        <div className="stack">
          <ErrorMessage>{errors.form}</ErrorMessage>
          <Field label="Title" required error={errors.fields.title} hint="What is wrong, in one line. Known errors matching it appear below.">
            {(p) => <input {...p} name="title" maxLength={200} value={f.title} onChange={(e) => set('title', e.target.value)} autoComplete="off" />}
          </Field>
          {suggestions.data && suggestions.data.items.length > 0 && typed.length >= 3 ? (
            <div className="suggestions" role="region" aria-label="Known errors that may match" aria-live="polite">
              <p className="suggestions-title">Known errors that may match — check the workaround first:</p>
              <ul>
                {suggestions.data.items.map((s) => (
                  <li key={s.key}>
                    <Link to={`/problems/${s.key}`} target="_blank" rel="noopener">
                      {s.key}
                    </Link>{' '}
                    <strong>{s.title}</strong>
                    {s.workaround ? <div className="muted small">Workaround: {s.workaround}</div> : null}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <Field label="Description" error={errors.fields.description}>
            {(p) => <textarea {...p} rows={5} value={f.description} onChange={(e) => set('description', e.target.value)} />}
          </Field>
          <ClassificationFields
            value={f}
            onChange={(next) => setF((x) => ({ ...x, ...next }))}
            categories={categories.data?.items ?? []}
            errors={errors.fields}
          />
          <div className="priority-preview" aria-live="polite" data-testid="priority-preview">
            Priority <PriorityBadge priority={priority} /> <span>{PRIORITY_NAMES[priority]}</span>
            <span className="muted small"> from the priority matrix{matrix.data ? ` (version ${matrix.data.version})` : ''}</span>
          </div>
          <FieldGroup legend="Affects" error={errors.fields.affects_confidentiality ?? errors.fields.affects_integrity ?? errors.fields.affects_availability ?? errors.fields.personal_data}>
            <CheckField label="Confidentiality" checked={f.c} onChange={(v) => set('c', v)} />
            <CheckField label="Integrity" checked={f.i} onChange={(v) => set('i', v)} />
            <CheckField label="Availability" checked={f.a} onChange={(v) => set('a', v)} />
            <CheckField label="Personal data involved" checked={f.personal_data} onChange={(v) => set('personal_data', v)} />
          </FieldGroup>
          <div className="grid-2">
            <Field label="Affected services" hint="Comma-separated" error={errors.fields.services}>
              {(p) => <input {...p} value={f.services} onChange={(e) => set('services', e.target.value)} />}
            </Field>
            <Field label="Affected assets" hint="Comma-separated" error={errors.fields.assets}>
              {(p) => <input {...p} value={f.assets} onChange={(e) => set('assets', e.target.value)} />}
            </Field>
          </div>
        </div>
        <aside className="stack side-panel">
          <h2 className="side-title">Routing</h2>
          <Field label="Group" error={errors.fields.group}>
            {(p) => (
              <select {...p} value={f.group} onChange={(e) => set('group', e.target.value)}>
                <option value="">No group yet</option>
                {(groups.data?.items ?? []).map((g) => (
                  <option key={g.name} value={g.name}>
                    {g.display_name || g.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Assignee" error={errors.fields.assignee} hint="Assigning someone makes the incident owned at once.">
            {(p) => (
              <select {...p} value={f.assignee} onChange={(e) => set('assignee', e.target.value)}>
                <option value="">Nobody yet</option>
                {workers.map((u) => (
                  <option key={u.username} value={u.username}>
                    {u.display_name || u.username}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Reported via" error={errors.fields.source}>
            {(p) => (
              <select {...p} value={f.source} onChange={(e) => set('source', e.target.value)}>
                <option value="phone">Phone</option>
                <option value="email">E-mail</option>
                <option value="portal">In person / portal</option>
                <option value="detection">Detection (monitoring)</option>
              </select>
            )}
          </Field>
          <Field label="When it happened" error={errors.fields.occurred_at}>
            {(p) => <input {...p} type="datetime-local" value={f.occurred_at} onChange={(e) => set('occurred_at', e.target.value)} />}
          </Field>
          <Field label="Traffic Light Protocol" error={errors.fields.tlp}>
            {(p) => (
              <select {...p} value={f.tlp} onChange={(e) => set('tlp', e.target.value)}>
                {['clear', 'green', 'amber', 'amber+strict', 'red'].map((t) => (
                  <option key={t} value={t}>
                    TLP:{t.toUpperCase()}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <CheckField label="Restricted (need to know)" checked={f.restricted} onChange={(v) => set('restricted', v)} error={errors.fields.restricted} />
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Logging…' : 'Log incident'}
            </button>
            <Link to="/incidents" className="btn btn-quiet">
              Cancel
            </Link>
          </div>
        </aside>
      </form>
    </div>
  );
}
