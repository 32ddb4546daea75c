import { useEffect, useState, type FormEvent } from 'react';
import type { Category, Group, Impact, Incident, PriorityMatrixVersion, Urgency, User } from '../../api/types';
import { IMPACTS, URGENCIES } from '../../api/types';
import { ApiError, api } from '../../api/client';
import { CheckField, ErrorMessage, Field, PriorityBadge } from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { useApi } from '../../lib/hooks';
import { DEFAULT_MATRIX, humanize, PENDING_REASONS, priorityOf, RESOLUTION_CODES } from '../../lib/priority';
import { formErrors, NO_ERRORS, type FormErrors } from '../../lib/problem';
import { useMe } from '../../lib/session';

// The fields the edit form shows, as it shows them ('' for none).
function editable(i: Incident) {
  return {
    title: i.title,
    description: i.description,
    category: i.category,
    subcategory: i.subcategory ?? '',
    impact: i.impact,
    urgency: i.urgency,
    assignee: i.assignee ?? '',
    group: i.group ?? '',
    support_level: i.support_level,
    restricted: i.restricted,
    tlp: i.tlp,
  };
}

const EDIT_FIELDS = ['title', 'description', 'category', 'subcategory', 'impact', 'urgency', 'assignee', 'group', 'support_level', 'restricted', 'tlp'];
const TLPS = ['clear', 'green', 'amber', 'amber+strict', 'red'];

export function Details({ incident, categories, groups, workers, onChanged }: { incident: Incident; categories: Category[]; groups: Group[]; workers: User[]; onChanged: (i: Incident) => void }) {
  const { can } = useMe();
  const [editing, setEditing] = useState(false);
  const categoryName = (code: string | null) => categories.find((c) => c.code === code)?.name ?? code ?? '—';
  const groupName = (name: string | null) => (name ? groups.find((g) => g.name === name)?.display_name || name : '—');
  const editable = can.work && !['closed', 'cancelled'].includes(incident.status);

  if (editing) {
    return (
      <EditDetails
        incident={incident}
        categories={categories}
        groups={groups}
        workers={workers}
        onRefreshed={onChanged}
        onDone={(i) => {
          setEditing(false);
          if (i) onChanged(i);
        }}
      />
    );
  }

  const cia = [incident.cia?.confidentiality && 'confidentiality', incident.cia?.integrity && 'integrity', incident.cia?.availability && 'availability'].filter(Boolean);
  return (
    <section className="card" aria-labelledby="details-h">
      <div className="card-head">
        <h2 id="details-h">Details</h2>
        {editable ? (
          <button type="button" className="btn btn-quiet" onClick={() => setEditing(true)}>
            Edit
          </button>
        ) : null}
      </div>
      <dl className="facts">
        <dt>Category</dt>
        <dd>
          {categoryName(incident.category)}
          {incident.subcategory ? ` › ${categoryName(incident.subcategory)}` : ''}
        </dd>
        <dt>Impact × urgency</dt>
        <dd>
          {humanize(incident.impact)} × {humanize(incident.urgency)}
        </dd>
        <dt>Assignee</dt>
        <dd>{incident.assignee ?? <span className="muted">nobody yet</span>}</dd>
        <dt>Group</dt>
        <dd>
          {incident.group ? groupName(incident.group) : <span className="muted">none yet</span>}
          <span className="muted"> · support level {incident.support_level}</span>
        </dd>
        <dt>Reporter</dt>
        <dd>
          {incident.reporter ?? '—'} <span className="muted">via {incident.source}</span>
        </dd>
        {incident.pending_reason ? (
          <>
            <dt>Pending</dt>
            <dd>{PENDING_REASONS[incident.pending_reason] ?? humanize(incident.pending_reason)}</dd>
          </>
        ) : null}
        {incident.resolution_code ? (
          <>
            <dt>Resolution</dt>
            <dd>
              {RESOLUTION_CODES[incident.resolution_code] ?? humanize(incident.resolution_code)}
              {incident.resolution_notes ? <div className="prose notes">{incident.resolution_notes}</div> : null}
            </dd>
          </>
        ) : null}
        {incident.cancel_reason ? (
          <>
            <dt>Cancelled as</dt>
            <dd>{humanize(incident.cancel_reason)}</dd>
          </>
        ) : null}
        <dt>Handling</dt>
        <dd>
          TLP:{incident.tlp.toUpperCase()}
          {incident.restricted ? ' · restricted (need to know)' : ''}
          {incident.personal_data ? ' · personal data involved' : ''}
        </dd>
        {cia.length ? (
          <>
            <dt>Affects</dt>
            <dd>{cia.join(', ')}</dd>
          </>
        ) : null}
        {incident.affected_services.length ? (
          <>
            <dt>Services</dt>
            <dd>{incident.affected_services.join(', ')}</dd>
          </>
        ) : null}
        {incident.affected_assets.length ? (
          <>
            <dt>Assets</dt>
            <dd>{incident.affected_assets.join(', ')}</dd>
          </>
        ) : null}
        <dt>Reported</dt>
        <dd>{formatDateTime(incident.reported_at)}</dd>
        {incident.occurred_at ? (
          <>
            <dt>Occurred</dt>
            <dd>{formatDateTime(incident.occurred_at)}</dd>
          </>
        ) : null}
        {incident.resolved_at ? (
          <>
            <dt>Resolved</dt>
            <dd>{formatDateTime(incident.resolved_at)}</dd>
          </>
        ) : null}
        {incident.closed_at ? (
          <>
            <dt>Closed</dt>
            <dd>{formatDateTime(incident.closed_at)}</dd>
          </>
        ) : null}
        {incident.reopen_count ? (
          <>
            <dt>Reopened</dt>
            <dd>{incident.reopen_count}×</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

function EditDetails({
  incident,
  categories,
  groups,
  workers,
  onDone,
  onRefreshed,
}: {
  incident: Incident;
  categories: Category[];
  groups: Group[];
  workers: User[];
  onDone: (i: Incident | null) => void;
  onRefreshed: (i: Incident) => void;
}) {
  const matrix = useApi<PriorityMatrixVersion>('/api/v1/settings/priority-matrix', { cached: true });
  const [f, setF] = useState(() => editable(incident));
  // The values the form started from. When a newer version arrives (someone else saved), fields
  // this user has not touched take the new values, the touched ones keep the user's.
  const [base, setBase] = useState(() => editable(incident));
  useEffect(() => {
    const fresh = editable(incident);
    if (JSON.stringify(fresh) === JSON.stringify(base)) return;
    setF((current) => {
      const merged = { ...current } as Record<string, unknown>;
      for (const k of Object.keys(fresh) as (keyof typeof fresh)[]) {
        if (current[k] === base[k]) merged[k] = fresh[k];
      }
      return merged as typeof current;
    });
    setBase(fresh);
    // Only a new version of the incident matters here; `base` is read as of that render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [incident]);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof typeof f>(k: K, v: (typeof f)[K]) => setF((x) => ({ ...x, [k]: v }));
  const top = categories.filter((c) => c.parent === null && (c.active || c.code === f.category));
  const subs = categories.filter((c) => c.parent === f.category && (c.active || c.code === f.subcategory));
  const newPriority = priorityOf(matrix.data?.matrix ?? DEFAULT_MATRIX, f.impact, f.urgency);

  async function save(e: FormEvent) {
    e.preventDefault();
    // Only what changed, so that a concurrent edit of another field is not undone.
    const changes: Record<string, unknown> = {};
    const original: Record<string, unknown> = base;
    for (const [k, v] of Object.entries(f)) {
      if (v === original[k]) continue;
      changes[k] = (k === 'assignee' || k === 'group' || k === 'subcategory') && v === '' ? null : v;
    }
    if (changes.category !== undefined && changes.subcategory === undefined) changes.subcategory = f.subcategory || null;
    if (Object.keys(changes).length === 0) {
      onDone(null);
      return;
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      onDone(await api.patch<Incident>(`/api/v1/incidents/${incident.key}`, changes, incident.version));
    } catch (err) {
      setErrors(formErrors(err, EDIT_FIELDS));
      // Someone changed it meanwhile: show their version underneath; the next save builds on it.
      if (err instanceof ApiError && err.status === 412) {
        onRefreshed(await api.get<Incident>(`/api/v1/incidents/${incident.key}`));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="edit-h">
      <h2 id="edit-h">Edit details</h2>
      <form onSubmit={save} className="stack" noValidate>
        <ErrorMessage>{errors.form}</ErrorMessage>
        <Field label="Title" error={errors.fields.title}>
          {(p) => <input {...p} value={f.title} maxLength={200} onChange={(e) => set('title', e.target.value)} />}
        </Field>
        <Field label="Description" error={errors.fields.description}>
          {(p) => <textarea {...p} rows={4} value={f.description} onChange={(e) => set('description', e.target.value)} />}
        </Field>
        <div className="grid-2">
          <Field label="Category" error={errors.fields.category}>
            {(p) => (
              <select {...p} value={f.category} onChange={(e) => setF((x) => ({ ...x, category: e.target.value, subcategory: '' }))}>
                {top.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Subcategory" error={errors.fields.subcategory}>
            {(p) => (
              <select {...p} value={f.subcategory} onChange={(e) => set('subcategory', e.target.value)}>
                <option value="">—</option>
                {subs.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Impact" error={errors.fields.impact}>
            {(p) => (
              <select {...p} value={f.impact} onChange={(e) => set('impact', e.target.value as Impact)}>
                {IMPACTS.map((i) => (
                  <option key={i} value={i}>
                    {humanize(i)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Urgency" error={errors.fields.urgency}>
            {(p) => (
              <select {...p} value={f.urgency} onChange={(e) => set('urgency', e.target.value as Urgency)}>
                {URGENCIES.map((u) => (
                  <option key={u} value={u}>
                    {humanize(u)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <p className="priority-preview" aria-live="polite">
          Priority becomes <PriorityBadge priority={newPriority} />
        </p>
        <div className="grid-2">
          <Field label="Assignee" error={errors.fields.assignee}>
            {(p) => (
              <select {...p} value={f.assignee} onChange={(e) => set('assignee', e.target.value)}>
                <option value="">Nobody</option>
                {workers.map((u) => (
                  <option key={u.username} value={u.username}>
                    {u.display_name || u.username}
                  </option>
                ))}
                {f.assignee && !workers.some((u) => u.username === f.assignee) ? <option value={f.assignee}>{f.assignee}</option> : null}
              </select>
            )}
          </Field>
          <Field label="Group" error={errors.fields.group}>
            {(p) => (
              <select {...p} value={f.group} onChange={(e) => set('group', e.target.value)}>
                <option value="">No group</option>
                {groups.map((g) => (
                  <option key={g.name} value={g.name}>
                    {g.display_name || g.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Support level" error={errors.fields.support_level}>
            {(p) => (
              <select {...p} value={f.support_level} onChange={(e) => set('support_level', Number(e.target.value))}>
                {[1, 2, 3].map((l) => (
                  <option key={l} value={l}>
                    Level {l}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Traffic Light Protocol" error={errors.fields.tlp}>
            {(p) => (
              <select {...p} value={f.tlp} onChange={(e) => set('tlp', e.target.value)}>
                {TLPS.map((t) => (
                  <option key={t} value={t}>
                    TLP:{t.toUpperCase()}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <CheckField label="Restricted: only the assigned group, managers and auditors may see it" checked={f.restricted} onChange={(v) => set('restricted', v)} error={errors.fields.restricted} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <button type="button" className="btn btn-quiet" onClick={() => onDone(null)}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
