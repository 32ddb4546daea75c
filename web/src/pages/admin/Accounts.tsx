import { useState, type FormEvent } from 'react';
import { api, query } from '../../api/client';
import type { Lockout, Page, Role, Token, User } from '../../api/types';
import { ROLES } from '../../api/types';
import { CheckField, EmptyState, ErrorMessage, Field, FieldGroup, Loading, Notice } from '../../components/ui';
import { formatDateTime, formatRelative } from '../../lib/format';
import { useApi } from '../../lib/hooks';
import { describeError, formErrors, NO_ERRORS, type FormErrors } from '../../lib/problem';
import { ROLE_LABELS } from '../../lib/roles';

function RolePicker({ value, onChange, error }: { value: Role[]; onChange: (r: Role[]) => void; error?: string }) {
  return (
    <FieldGroup legend="Roles" error={error}>
      {ROLES.map((r) => (
        <CheckField key={r} label={ROLE_LABELS[r]} checked={value.includes(r)} onChange={(on) => onChange(on ? [...value, r] : value.filter((x) => x !== r))} />
      ))}
    </FieldGroup>
  );
}

export function Users() {
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const users = useApi<Page<User>>(`/api/v1/users${query({ q: search, limit: 200 })}`);
  const [editing, setEditing] = useState<User | null>(null);
  const [creating, setCreating] = useState(false);
  const items = users.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="users-h">
      <div className="card-head">
        <h2 id="users-h">Users</h2>
        <button type="button" className="btn btn-primary" onClick={() => { setCreating(true); setEditing(null); }}>
          New user
        </button>
      </div>
      {creating ? <NewUser onDone={async () => { setCreating(false); await users.reload(); }} /> : null}
      {editing ? <EditUser user={editing} onDone={async () => { setEditing(null); await users.reload(); }} /> : null}
      <form className="toolbar" role="search" onSubmit={(e) => { e.preventDefault(); setSearch(q.trim()); }}>
        <label htmlFor="uq" className="sr-only">Search users</label>
        <input id="uq" type="search" placeholder="Search by name" value={q} onChange={(e) => setQ(e.target.value)} />
        <button type="submit" className="btn">Search</button>
      </form>
      {users.loading && !users.data ? <Loading /> : null}
      <ErrorMessage>{users.error ? describeError(users.error) : null}</ErrorMessage>
      <div className="table-scroll">
        <table className="simple-table">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Roles</th>
              <th scope="col">Second factor</th>
              <th scope="col">Status</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {items.map((u) => (
              <tr key={u.username} className={u.active ? undefined : 'inactive'}>
                <td>
                  <strong>{u.display_name || u.username}</strong>
                  <div className="muted small">{u.username}{u.email ? ` · ${u.email}` : ''}</div>
                </td>
                <td>{u.roles.map((r) => ROLE_LABELS[r]).join(', ')}</td>
                <td>{u.mfa_enabled ? 'enrolled' : u.mfa_required ? 'required, not enrolled' : '—'}</td>
                <td>{u.active ? 'active' : 'deactivated'}</td>
                <td>
                  <button type="button" className="btn btn-quiet small" onClick={() => { setEditing(u); setCreating(false); }}>
                    Edit
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function NewUser({ onDone }: { onDone: () => Promise<void> }) {
  const [f, setF] = useState({ username: '', display_name: '', email: '', password: '', roles: ['reporter'] as Role[], mfa_required: false });
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  async function create(e: FormEvent) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    try {
      const body: Record<string, unknown> = { username: f.username.trim(), password: f.password, roles: f.roles, mfa_required: f.mfa_required };
      if (f.display_name.trim()) body.display_name = f.display_name.trim();
      if (f.email.trim()) body.email = f.email.trim();
      await api.post('/api/v1/users', body);
      await onDone();
    } catch (err) {
      setErrors(formErrors(err, ['username', 'display_name', 'email', 'password', 'roles', 'mfa_required']));
    }
  }
  return (
    <form className="panel stack" onSubmit={create} noValidate aria-label="New user">
      <ErrorMessage>{errors.form}</ErrorMessage>
      <div className="grid-2">
        <Field label="Username" required error={errors.fields.username} hint="Lower case letters, digits and . _ @ -">
          {(p) => <input {...p} value={f.username} onChange={(e) => setF({ ...f, username: e.target.value })} autoComplete="off" />}
        </Field>
        <Field label="Display name" error={errors.fields.display_name}>
          {(p) => <input {...p} value={f.display_name} onChange={(e) => setF({ ...f, display_name: e.target.value })} />}
        </Field>
        <Field label="E-mail" error={errors.fields.email}>
          {(p) => <input {...p} type="email" value={f.email} onChange={(e) => setF({ ...f, email: e.target.value })} />}
        </Field>
        <Field label="Initial password" required error={errors.fields.password} hint="At least 12 characters; tell it to the user over another channel.">
          {(p) => <input {...p} type="password" autoComplete="new-password" value={f.password} onChange={(e) => setF({ ...f, password: e.target.value })} />}
        </Field>
      </div>
      <RolePicker value={f.roles} onChange={(roles) => setF({ ...f, roles })} error={errors.fields.roles} />
      <CheckField label="Require a second factor" checked={f.mfa_required} onChange={(v) => setF({ ...f, mfa_required: v })} error={errors.fields.mfa_required} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary">Create user</button>
        <button type="button" className="btn btn-quiet" onClick={() => void onDone()}>Cancel</button>
      </div>
    </form>
  );
}

function EditUser({ user, onDone }: { user: User; onDone: () => Promise<void> }) {
  const [f, setF] = useState({ display_name: user.display_name, email: user.email ?? '', roles: user.roles, active: user.active, mfa_required: user.mfa_required });
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [notice, setNotice] = useState<string | null>(null);
  async function save(e: FormEvent) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    try {
      await api.patch(`/api/v1/users/${user.username}`, { ...f, email: f.email.trim() || null }, user.version);
      await onDone();
    } catch (err) {
      setErrors(formErrors(err, ['display_name', 'email', 'roles', 'active', 'mfa_required']));
    }
  }
  async function reset(e: FormEvent) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    try {
      await api.post(`/api/v1/users/${user.username}/password`, { new_password: password });
      setPassword('');
      setNotice('The password is reset; the user\u2019s sessions have ended.');
    } catch (err) {
      setErrors(formErrors(err, ['new_password', 'password']));
    }
  }
  async function resetMfa() {
    try {
      await api.post(`/api/v1/users/${user.username}/mfa/reset`);
      setNotice('The second factor is removed; the user can enrol a new one.');
    } catch (err) {
      setErrors({ fields: {}, form: describeError(err) });
    }
  }
  return (
    <div className="panel stack" aria-label={`Edit ${user.username}`}>
      <h3>{user.username}</h3>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <ErrorMessage>{errors.form}</ErrorMessage>
      <form onSubmit={save} className="stack" noValidate>
        <div className="grid-2">
          <Field label="Display name" error={errors.fields.display_name}>
            {(p) => <input {...p} value={f.display_name} onChange={(e) => setF({ ...f, display_name: e.target.value })} />}
          </Field>
          <Field label="E-mail" error={errors.fields.email}>
            {(p) => <input {...p} type="email" value={f.email} onChange={(e) => setF({ ...f, email: e.target.value })} />}
          </Field>
        </div>
        <RolePicker value={f.roles} onChange={(roles) => setF({ ...f, roles })} error={errors.fields.roles} />
        <CheckField label="Active (may sign in)" checked={f.active} onChange={(v) => setF({ ...f, active: v })} error={errors.fields.active} />
        <CheckField label="Require a second factor" checked={f.mfa_required} onChange={(v) => setF({ ...f, mfa_required: v })} error={errors.fields.mfa_required} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary">Save</button>
          <button type="button" className="btn btn-quiet" onClick={() => void onDone()}>Close</button>
        </div>
      </form>
      <form onSubmit={reset} className="inline-form" noValidate>
        <Field label="New password" error={errors.fields.new_password ?? errors.fields.password}>
          {(p) => <input {...p} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <button type="submit" className="btn" disabled={!password}>Reset password</button>
      </form>
      {user.mfa_enabled ? (
        <button type="button" className="btn btn-quiet" onClick={() => void resetMfa()}>
          Remove the second factor
        </button>
      ) : null}
    </div>
  );
}

export function Tokens() {
  const tokens = useApi<Page<Token>>('/api/v1/tokens');
  const [error, setError] = useState<string | null>(null);
  const [f, setF] = useState({ user: '', name: '' });
  const [issued, setIssued] = useState<string | null>(null);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  async function revoke(t: Token) {
    setError(null);
    try {
      await api.delete(`/api/v1/tokens/${t.id}`);
      await tokens.reload();
    } catch (err) {
      setError(describeError(err));
    }
  }
  async function issue(e: FormEvent) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    try {
      const t = await api.post<{ token: string }>('/api/v1/tokens', { user: f.user.trim(), name: f.name.trim() });
      setIssued(t.token);
      setF({ user: '', name: '' });
      await tokens.reload();
    } catch (err) {
      setErrors(formErrors(err, ['user', 'name']));
    }
  }
  const items = tokens.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="tokens-h">
      <h2 id="tokens-h">API tokens</h2>
      {issued ? <Notice kind="success">New token (shown once): <code className="secret">{issued}</code></Notice> : null}
      <ErrorMessage>{error ?? (tokens.error ? describeError(tokens.error) : null)}</ErrorMessage>
      {tokens.data && items.length === 0 ? <EmptyState title="No tokens">Issue one for a script or a monitoring tool.</EmptyState> : null}
      {items.length ? (
        <div className="table-scroll">
          <table className="simple-table">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Name</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((t) => (
                <tr key={t.id} className={t.revoked_at ? 'inactive' : undefined}>
                  <td>{t.user}</td>
                  <td>{t.name}</td>
                  <td>{formatDateTime(t.created_at)}</td>
                  <td>{t.revoked_at ? `revoked ${formatRelative(t.revoked_at)}` : formatDateTime(t.expires_at)}</td>
                  <td>{t.last_used_at ? formatRelative(t.last_used_at) : 'never'}</td>
                  <td>
                    {!t.revoked_at ? (
                      <button type="button" className="btn btn-quiet small" onClick={() => void revoke(t)}>Revoke</button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form onSubmit={issue} className="inline-grid" noValidate>
        <ErrorMessage>{errors.form}</ErrorMessage>
        <Field label="For user" error={errors.fields.user}>
          {(p) => <input {...p} value={f.user} onChange={(e) => setF({ ...f, user: e.target.value })} />}
        </Field>
        <Field label="Token name" error={errors.fields.name}>
          {(p) => <input {...p} value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} />}
        </Field>
        <button type="submit" className="btn" disabled={!f.user.trim() || !f.name.trim()}>Issue token</button>
      </form>
    </section>
  );
}

export function Lockouts() {
  const lockouts = useApi<Page<Lockout>>('/api/v1/lockouts');
  const [error, setError] = useState<string | null>(null);
  async function unlock(l: Lockout) {
    setError(null);
    try {
      await api.delete(`/api/v1/lockouts/${l.kind}/${encodeURIComponent(l.subject)}`);
      await lockouts.reload();
    } catch (err) {
      setError(describeError(err));
    }
  }
  const items = lockouts.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="lock-h">
      <h2 id="lock-h">Sign-in lockouts</h2>
      <p className="muted">Accounts and addresses locked after repeated failed sign-ins. Unlocking is audited.</p>
      <ErrorMessage>{error ?? (lockouts.error ? describeError(lockouts.error) : null)}</ErrorMessage>
      {lockouts.data && items.length === 0 ? <EmptyState title="Nobody is locked out">Lockouts appear here while they last.</EmptyState> : null}
      {items.length ? (
        <div className="table-scroll"><table className="simple-table">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Subject</th>
              <th scope="col">Failures</th>
              <th scope="col">Locked until</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {items.map((l) => (
              <tr key={`${l.kind}:${l.subject}`}>
                <td>{l.kind}</td>
                <td>{l.subject}</td>
                <td>{l.failures ?? '—'}</td>
                <td>{formatDateTime(l.locked_until)}</td>
                <td>
                  <button type="button" className="btn btn-quiet small" onClick={() => void unlock(l)}>Unlock</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table></div>
      ) : null}
    </section>
  );
}
