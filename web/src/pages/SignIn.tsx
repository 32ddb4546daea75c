import { useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client';
import { ErrorMessage, Field, Notice } from '../components/ui';
import { useTitle } from '../lib/hooks';
import { formErrors, NO_ERRORS, type FormErrors } from '../lib/problem';
import { useSession } from '../lib/session';
import logo from '../assets/favicon.svg';

export function SignIn({ reason, from }: { reason?: string; from: string }) {
  useTitle('Sign in');
  const { signIn } = useSession();
  const navigate = useNavigate();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needTotp, setNeedTotp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const totpRef = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      await signIn(username.trim(), password, needTotp ? totp.trim() : undefined);
      navigate(from === '/login' ? '/' : from, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'mfa-required') {
        setNeedTotp(true);
        setErrors({ fields: {}, form: null });
        setTimeout(() => totpRef.current?.focus(), 0);
      } else if (err instanceof ApiError && err.code === 'invalid-credentials') {
        setErrors({ fields: {}, form: 'The username or password is wrong.' });
      } else {
        setErrors(formErrors(err, ['username', 'password', 'totp']));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin" id="main">
      <form className="signin-card" onSubmit={submit} noValidate aria-labelledby="signin-title">
        <div className="signin-brand">
          <img src={logo} alt="" width={40} height={40} />
          <div>
            <h1 id="signin-title">Sign in to custos</h1>
            <p className="subtitle">Security incident management</p>
          </div>
        </div>
        {reason ? <Notice kind="warning">{reason}</Notice> : null}
        <ErrorMessage>{errors.form}</ErrorMessage>
        <Field label="Username" error={errors.fields.username}>
          {(p) => (
            <input {...p} name="username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} required />
          )}
        </Field>
        <Field label="Password" error={errors.fields.password}>
          {(p) => (
            <input {...p} name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          )}
        </Field>
        {needTotp ? (
          <Field label="Authentication code" hint="The 6-digit code from your authenticator app." error={errors.fields.totp}>
            {(p) => (
              <input
                {...p}
                ref={totpRef}
                name="totp"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{6}"
                maxLength={6}
                value={totp}
                onChange={(e) => setTotp(e.target.value.replace(/\D/g, ''))}
              />
            )}
          </Field>
        ) : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy || !username || !password}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="fineprint">Forgot your password? Ask your custos administrator to reset it.</p>
      </form>
    </main>
  );
}
