import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { Calendar, Category, Group, Page } from '../../api/types';
import { CheckField, EmptyState, ErrorMessage, Field, FieldGroup, Loading, Notice } from '../../components/ui';
import { forget, useApi } from '../../lib/hooks';
import { describeError, formErrors, NO_ERRORS, type FormErrors } from '../../lib/problem';
import { useMe } from '../../lib/session';

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

export function Groups() {
  const { can } = useMe();
  const groups = useApi<Page<Group>>('/api/v1/groups');
  const [editing, setEditing] = useState<Group | 'new' | null>(null);
  const items = groups.data?.items ?? [];
  const done = async () => {
    setEditing(null);
    forget('/api/v1/groups');
    await groups.reload();
  };
  return (
    <section className="card" aria-labelledby="groups-h">
      <div className="card-head">
        <h2 id="groups-h">Support groups</h2>
        {can.reference ? (
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
            New group
          </button>
        ) : null}
      </div>
      {editing ? <GroupForm group={editing === 'new' ? null : editing} groups={items} onDone={done} /> : null}
      <ErrorMessage>{groups.error ? describeError(groups.error) : null}</ErrorMessage>
      {groups.data && items.length === 0 ? <EmptyState title="No groups yet">Create the teams that work incidents, with their level and escalation target.</EmptyState> : null}
      {items.length ? (
        <div className="table-scroll">
          <table className="simple-table">
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Level</th>
                <th scope="col">Manager</th>
                <th scope="col">Escalates to</th>
                <th scope="col">Members</th>
                <th scope="col"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((g) => (
                <tr key={g.name}>
                  <td>
                    <strong>{g.display_name || g.name}</strong>
                    <div className="muted small">{g.name}</div>
                  </td>
                  <td>{g.level}</td>
                  <td>{g.manager ?? '—'}</td>
                  <td>{g.escalation_group ?? '—'}</td>
                  <td>{g.members.join(', ') || '—'}</td>
                  <td>
                    {can.reference ? (
                      <button type="button" className="btn btn-quiet small" onClick={() => setEditing(g)}>
                        Edit
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function GroupForm({ group, groups, onDone }: { group: Group | null; groups: Group[]; onDone: () => Promise<void> }) {
  const [f, setF] = useState({
    name: group?.name ?? '',
    display_name: group?.display_name ?? '',
    level: group?.level ?? 1,
    manager: group?.manager ?? '',
    escalation_group: group?.escalation_group ?? '',
    members: (group?.members ?? []).join(', '),
  });
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  async function save(e: FormEvent) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    try {
      if (group) {
        await api.patch(
          `/api/v1/groups/${group.name}`,
          { display_name: f.display_name, level: f.level, manager: f.manager || null, escalation_group: f.escalation_group || null, members: list(f.members) },
          group.version,
        );
      } else {
        const body: Record<string, unknown> = { name: f.name.trim(), level: f.level, members: list(f.members) };
        if (f.display_name.trim()) body.display_name = f.display_name.trim();
        if (f.manager.trim()) body.manager = f.manager.trim();
        if (f.escalation_group) body.escalation_group = f.escalation_group;
        await api.post('/api/v1/groups', body);
      }
      await onDone();
    } catch (err) {
      setErrors(formErrors(err, ['name', 'display_name', 'level', 'manager', 'escalation_group', 'members']));
    }
  }
  return (
    <form className="panel stack" onSubmit={save} noValidate>
      <ErrorMessage>{errors.form}</ErrorMessage>
      <div className="grid-2">
        <Field label="Name" required error={errors.fields.name} hint="Lower case, e.g. soc-l1">
          {(p) => <input {...p} value={f.name} disabled={!!group} onChange={(e) => setF({ ...f, name: e.target.value })} />}
        </Field>
        <Field label="Display name" error={errors.fields.display_name}>
          {(p) => <input {...p} value={f.display_name} onChange={(e) => setF({ ...f, display_name: e.target.value })} />}
        </Field>
        <Field label="Support level" error={errors.fields.level}>
          {(p) => (
            <select {...p} value={f.level} onChange={(e) => setF({ ...f, level: Number(e.target.value) })}>
              {[1, 2, 3].map((l) => (
                <option key={l} value={l}>
                  Level {l}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Manager (username)" error={errors.fields.manager}>
          {(p) => <input {...p} value={f.manager} onChange={(e) => setF({ ...f, manager: e.target.value })} />}
        </Field>
        <Field label="Escalates to" error={errors.fields.escalation_group}>
          {(p) => (
            <select {...p} value={f.escalation_group} onChange={(e) => setF({ ...f, escalation_group: e.target.value })}>
              <option value="">—</option>
              {groups
                .filter((g) => g.name !== f.name)
                .map((g) => (
                  <option key={g.name} value={g.name}>
                    {g.display_name || g.name}
                  </option>
                ))}
            </select>
          )}
        </Field>
        <Field label="Members (usernames, comma-separated)" error={errors.fields.members}>
          {(p) => <input {...p} value={f.members} onChange={(e) => setF({ ...f, members: e.target.value })} />}
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary">
          {group ? 'Save' : 'Create group'}
        </button>
        <button type="button" className="btn btn-quiet" onClick={() => void onDone()}>
          Cancel
        </button>
      </div>
    </form>
  );
}

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

// "09:00-12:00, 13:00-17:00" ⇄ [{start, end}, ...]
export function formatIntervals(list: { start: string; end: string }[] | undefined): string {
  return (list ?? []).map((i) => `${i.start}-${i.end}`).join(', ');
}
export function parseIntervals(text: string): { start: string; end: string }[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [start = '', end = ''] = s.split('-').map((x) => x.trim());
      return { start, end };
    });
}

export function Calendars() {
  const { can } = useMe();
  const calendars = useApi<Page<Calendar>>('/api/v1/settings/calendars');
  const [name, setName] = useState<string | null>(null);
  // Kept here: saving reloads the calendar, which draws its form anew.
  const [saved, setSaved] = useState<string | null>(null);
  const items = calendars.data?.items ?? [];
  useEffect(() => {
    if (!name && items.length) setName(items.find((c) => !c.always_open)?.name ?? items[0].name);
  }, [items, name]);
  const current = items.find((c) => c.name === name) ?? null;
  return (
    <section className="card" aria-labelledby="cal-h">
      <h2 id="cal-h">Business calendars</h2>
      <p className="muted">SLA clocks run only during working hours of the calendar their priority uses, and never on holidays.</p>
      {calendars.loading && !calendars.data ? <Loading /> : null}
      <div className="button-row">
        {items.map((c) => (
          <button key={c.name} type="button" className={`chip${c.name === name ? ' on' : ''}`} aria-pressed={c.name === name} onClick={() => {
            setName(c.name);
            setSaved(null);
          }}>
            {c.name}
          </button>
        ))}
      </div>
      {current && saved === current.name ? <Notice kind="success">Saved.</Notice> : null}
      {current ? (
        <CalendarForm
          key={current.name + (current.version ?? '')}
          calendar={current}
          editable={can.reference}
          onSaving={() => setSaved(null)}
          onSaved={() => {
            setSaved(current.name);
            void calendars.reload();
          }}
        />
      ) : null}
    </section>
  );
}

function CalendarForm({ calendar, editable, onSaving, onSaved }: { calendar: Calendar; editable: boolean; onSaving: () => void; onSaved: () => void }) {
  const [zone, setZone] = useState(calendar.zone ?? 'UTC');
  const [alwaysOpen, setAlwaysOpen] = useState(!!calendar.always_open);
  const [week, setWeek] = useState<Record<string, string>>(Object.fromEntries(DAYS.map((d) => [d, formatIntervals(calendar.week?.[d])])));
  const [holidays, setHolidays] = useState((calendar.holidays ?? []).join(', '));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  async function save(e: FormEvent) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    onSaving();
    try {
      const body: Record<string, unknown> = { zone, always_open: alwaysOpen, holidays: list(holidays) };
      if (!alwaysOpen) body.week = Object.fromEntries(DAYS.map((d) => [d, parseIntervals(week[d])]));
      await api.put(`/api/v1/settings/calendars/${calendar.name}`, body);
      onSaved();
    } catch (err) {
      setErrors(formErrors(err, ['zone', 'always_open', 'week', 'holidays']));
    }
  }
  return (
    <form onSubmit={save} className="stack" noValidate>
      <ErrorMessage>{errors.form}</ErrorMessage>
      <Field label="Time zone" error={errors.fields.zone} hint="IANA name, e.g. Europe/Berlin">
        {(p) => <input {...p} value={zone} disabled={!editable} onChange={(e) => setZone(e.target.value)} />}
      </Field>
      <CheckField label="Around the clock (24×7)" checked={alwaysOpen} disabled={!editable} onChange={setAlwaysOpen} error={errors.fields.always_open} />
      {!alwaysOpen ? (
        <FieldGroup className="week" legend="Working hours" hint="For example “09:00-12:00, 13:00-17:00”; leave empty when closed." error={errors.fields.week}>
          {DAYS.map((d) => (
            <Field key={d} className="week-row" label={d[0].toUpperCase() + d.slice(1)}>
              {(p) => <input {...p} value={week[d]} disabled={!editable} placeholder="closed" onChange={(e) => setWeek({ ...week, [d]: e.target.value })} />}
            </Field>
          ))}
        </FieldGroup>
      ) : null}
      <Field label="Holidays" error={errors.fields.holidays} hint="Dates, comma-separated: 2026-12-25, 2026-12-26">
        {(p) => <input {...p} value={holidays} disabled={!editable} onChange={(e) => setHolidays(e.target.value)} />}
      </Field>
      {editable ? (
        <div className="form-actions">
          <button type="submit" className="btn btn-primary">
            Save calendar
          </button>
        </div>
      ) : null}
    </form>
  );
}

export function Categories() {
  const { can } = useMe();
  const categories = useApi<Page<Category>>('/api/v1/categories');
  const [f, setF] = useState({ code: '', name: '', parent: '', description: '' });
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const items = categories.data?.items ?? [];
  const top = items.filter((c) => c.parent === null);
  async function add(e: FormEvent) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    try {
      const body: Record<string, unknown> = { code: f.code.trim(), name: f.name.trim() };
      if (f.parent) body.parent = f.parent;
      if (f.description.trim()) body.description = f.description.trim();
      await api.post('/api/v1/categories', body);
      setF({ code: '', name: '', parent: '', description: '' });
      forget('/api/v1/categories');
      await categories.reload();
    } catch (err) {
      setErrors(formErrors(err, ['code', 'name', 'parent', 'description', 'security']));
    }
  }
  return (
    <section className="card" aria-labelledby="cat-h">
      <h2 id="cat-h">Categories</h2>
      <p className="muted">The security taxonomy (ENISA reference classes) and service failures. Add your own classes or subclasses.</p>
      <ErrorMessage>{categories.error ? describeError(categories.error) : null}</ErrorMessage>
      <ul className="category-tree">
        {top.map((c) => (
          <li key={c.code}>
            <strong>{c.name}</strong> <code className="muted">{c.code}</code>
            {c.description ? <div className="muted small">{c.description}</div> : null}
            <ul>
              {items
                .filter((s) => s.parent === c.code)
                .map((s) => (
                  <li key={s.code}>
                    {s.name} <code className="muted">{s.code}</code>
                    {!s.builtin ? <span className="badge subtle">custom</span> : null}
                  </li>
                ))}
            </ul>
          </li>
        ))}
      </ul>
      {can.reference ? (
        <form onSubmit={add} className="panel stack" noValidate>
          <h3>Add a category</h3>
          <ErrorMessage>{errors.form}</ErrorMessage>
          <div className="grid-2">
            <Field label="Code" required error={errors.fields.code} hint="Lower case, e.g. insider-misuse">
              {(p) => <input {...p} value={f.code} onChange={(e) => setF({ ...f, code: e.target.value })} />}
            </Field>
            <Field label="Name" required error={errors.fields.name}>
              {(p) => <input {...p} value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} />}
            </Field>
            <Field label="Under" error={errors.fields.parent}>
              {(p) => (
                <select {...p} value={f.parent} onChange={(e) => setF({ ...f, parent: e.target.value })}>
                  <option value="">— a new top-level class —</option>
                  {top.map((c) => (
                    <option key={c.code} value={c.code}>
                      {c.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Description" error={errors.fields.description}>
              {(p) => <input {...p} value={f.description} onChange={(e) => setF({ ...f, description: e.target.value })} />}
            </Field>
          </div>
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={!f.code.trim() || !f.name.trim()}>
              Add category
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
