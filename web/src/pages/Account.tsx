import { useState, type FormEvent } from 'react';
import qrcode from 'qrcode-generator';
import { api } from '../api/client';
import type { Page, Token } from '../api/types';
import { ErrorMessage, Field, Notice, PageHeader } from '../components/ui';
import { formatDateTime, formatRelative } from '../lib/format';
import { useApi, useTitle } from '../lib/hooks';
import { describeError, formErrors, NO_ERRORS, type FormErrors } from '../lib/problem';
import { ROLE_LABELS } from '../lib/roles';
import { useMe, useSession } from '../lib/session';

// A QR code drawn as SVG rectangles (no inline styles, no data: URL needed).
export function QrCode({ text, label }: { text: string; label: string }) {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  const cells: string[] = [];
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) cells.push(`M${c + 4} ${r + 4}h1v1h-1z`);
  return (
    <svg className="qr" viewBox={`0 0 ${n + 8} ${n + 8}`} role="img" aria-label={label} width={200} height={200}>
      <rect width={n + 8} height={n + 8} fill="#fff" />
      <path d={cells.join('')} fill="#000" />
    </svg>
  );
}

function Totp({ required }: { required: boolean }) {
  const { me } = useMe();
  const { refresh } = useSession();
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauth_uri: string } | null>(null);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [done, setDone] = useState<string | null>(null);

  async function start() {
    setErrors(NO_ERRORS);
    try {
      setEnrolment(await api.post('/api/v1/me/mfa/totp'));
    } catch (err) {
      setErrors(formErrors(err, []));
    }
  }
  async function confirm(e: FormEvent) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    try {
      await api.post('/api/v1/me/mfa/totp/confirm', { code: code.trim() });
      setEnrolment(null);
      setCode('');
      setDone('Your second factor is on. You will be asked for a code when you sign in.');
      await refresh();
    } catch (err) {
      setErrors(formErrors(err, ['code']));
    }
  }
  async function disable(e: FormEvent) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    try {
      await api.post('/api/v1/me/mfa/totp/disable', { password });
      setPassword('');
      setDone('Your second factor is off.');
      await refresh();
    } catch (err) {
      setErrors(formErrors(err, ['password']));
    }
  }

  return (
    <section className="card" aria-labelledby="totp-h">
      <h2 id="totp-h">Second factor (authenticator app)</h2>
      {done ? <Notice kind="success">{done}</Notice> : null}
      <ErrorMessage>{errors.form}</ErrorMessage>
      {me.mfa_enabled && !enrolment ? (
        <>
          <p>A code from your authenticator app is required when you sign in.</p>
          {!me.mfa_required ? (
            <form onSubmit={disable} className="inline-form" noValidate>
              <Field label="Your password, to turn it off" error={errors.fields.password}>
                {(p) => <input {...p} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
              </Field>
              <button type="submit" className="btn" disabled={!password}>
                Turn off
              </button>
            </form>
          ) : (
            <p className="muted">Your administrator requires it for your account.</p>
          )}
        </>
      ) : null}
      {!me.mfa_enabled && !enrolment ? (
        <>
          <p>{required ? 'Your account requires a second factor. Set it up now to continue.' : 'Protect your account with a code from an authenticator app.'}</p>
          <button type="button" className="btn btn-primary" onClick={() => void start()}>
            Set up an authenticator app
          </button>
        </>
      ) : null}
      {enrolment ? (
        <form onSubmit={confirm} className="totp-enrol" noValidate>
          <ol>
            <li>Scan this code with your authenticator app (or type the key by hand).</li>
          </ol>
          <QrCode text={enrolment.otpauth_uri} label="QR code for your authenticator app" />
          <p className="small">
            Key: <code className="secret">{enrolment.secret}</code>
          </p>
          <ol start={2}>
            <li>Enter the 6-digit code the app shows.</li>
          </ol>
          <Field label="Code" error={errors.fields.code}>
            {(p) => <input {...p} inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={code} onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))} />}
          </Field>
          <button type="submit" className="btn btn-primary" disabled={code.length !== 6}>
            Turn on
          </button>
        </form>
      ) : null}
    </section>
  );
}

function Password() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [done, setDone] = useState(false);
  async function change(e: FormEvent) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    setDone(false);
    try {
      await api.post('/api/v1/me/password', { current_password: current, new_password: next });
      setCurrent('');
      setNext('');
      setDone(true);
    } catch (err) {
      setErrors(formErrors(err, ['current_password', 'new_password']));
    }
  }
  return (
    <section className="card" aria-labelledby="pw-h">
      <h2 id="pw-h">Password</h2>
      {done ? <Notice kind="success">Your password is changed.</Notice> : null}
      <form onSubmit={change} className="stack" noValidate>
        <ErrorMessage>{errors.form}</ErrorMessage>
        <Field label="Current password" error={errors.fields.current_password}>
          {(p) => <input {...p} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />}
        </Field>
        <Field label="New password" hint="At least 12 characters. A few unrelated words make a strong one." error={errors.fields.new_password}>
          {(p) => <input {...p} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />}
        </Field>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={!current || !next}>
            Change password
          </button>
        </div>
      </form>
    </section>
  );
}

function Tokens() {
  const tokens = useApi<Page<Token>>('/api/v1/me/tokens');
  const [name, setName] = useState('');
  const [issued, setIssued] = useState<string | null>(null);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  async function issue(e: FormEvent) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    try {
      const t = await api.post<{ token: string }>('/api/v1/me/tokens', { name: name.trim() });
      setIssued(t.token);
      setName('');
      await tokens.reload();
    } catch (err) {
      setErrors(formErrors(err, ['name', 'expires_in_days']));
    }
  }
  async function revoke(t: Token) {
    try {
      await api.delete(`/api/v1/me/tokens/${t.id}`);
    } catch (err) {
      setErrors({ fields: {}, form: describeError(err) });
    }
    await tokens.reload();
  }
  const live = (tokens.data?.items ?? []).filter((t) => !t.revoked_at);
  return (
    <section className="card" aria-labelledby="tok-h">
      <h2 id="tok-h">API tokens</h2>
      <p className="muted">For scripts and tools that call the API as you. A token is shown once.</p>
      {issued ? (
        <Notice kind="success">
          New token (copy it now, it is not shown again): <code className="secret">{issued}</code>
        </Notice>
      ) : null}
      <ErrorMessage>{errors.form}</ErrorMessage>
      {live.length ? (
        <div className="table-scroll"><table className="simple-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {live.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>{formatDateTime(t.created_at)}</td>
                <td>{formatDateTime(t.expires_at)}</td>
                <td>{t.last_used_at ? formatRelative(t.last_used_at) : 'never'}</td>
                <td>
                  <button type="button" className="btn btn-quiet small" onClick={() => void revoke(t)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table></div>
      ) : (
        <p className="muted">You have no tokens.</p>
      )}
      <form onSubmit={issue} className="inline-form" noValidate>
        <Field label="Name of a new token" error={errors.fields.name}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. reporting script" />}
        </Field>
        <button type="submit" className="btn" disabled={!name.trim()}>
          Issue token
        </button>
      </form>
    </section>
  );
}

export default function Account({ enrolmentOnly = false }: { enrolmentOnly?: boolean }) {
  const { me } = useMe();
  const { signOut } = useSession();
  useTitle('Your account');
  if (enrolmentOnly) {
    return (
      <main className="signin" id="main">
        <div className="signin-card wide">
          <Totp required />
          <button type="button" className="btn btn-quiet" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </main>
    );
  }
  return (
    <div className="page narrow">
      <PageHeader title={me.display_name || me.username} subtitle={`${me.username} · ${me.roles.map((r) => ROLE_LABELS[r]).join(', ')}`} />
      <div className="stack">
        <Password />
        <Totp required={false} />
        <Tokens />
      </div>
    </div>
  );
}
