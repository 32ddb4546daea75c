import { NavLink, Navigate, Route, Routes } from 'react-router-dom';
import { useTitle } from '../../lib/hooks';
import { useMe } from '../../lib/session';
import { Calendars, Categories, Groups } from './Reference';
import { Matrix, SlaPolicy } from './Rules';
import { Lockouts, Tokens, Users } from './Accounts';

export default function Admin() {
  useTitle('Administration');
  const { can } = useMe();
  const sections = [
    can.admin && { to: 'users', label: 'Users' },
    can.admin && { to: 'tokens', label: 'Tokens' },
    can.admin && { to: 'lockouts', label: 'Lockouts' },
    { to: 'groups', label: 'Groups' },
    { to: 'matrix', label: 'Priority matrix' },
    { to: 'sla', label: 'SLA policy' },
    { to: 'calendars', label: 'Calendars' },
    { to: 'categories', label: 'Categories' },
  ].filter(Boolean) as { to: string; label: string }[];

  return (
    <div className="page wide admin">
      <h1>Administration</h1>
      <nav className="tabs" aria-label="Administration">
        {sections.map((s) => (
          <NavLink key={s.to} to={`/admin/${s.to}`}>
            {s.label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to={sections[0].to} replace />} />
        {can.admin ? (
          <>
            <Route path="users" element={<Users />} />
            <Route path="tokens" element={<Tokens />} />
            <Route path="lockouts" element={<Lockouts />} />
          </>
        ) : null}
        <Route path="groups" element={<Groups />} />
        <Route path="matrix" element={<Matrix />} />
        <Route path="sla" element={<SlaPolicy />} />
        <Route path="calendars" element={<Calendars />} />
        <Route path="categories" element={<Categories />} />
        <Route path="*" element={<Navigate to={sections[0].to} replace />} />
      </Routes>
    </div>
  );
}
