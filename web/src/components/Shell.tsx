import { useEffect, useState, type ReactNode } from 'react';
import { Link, NavLink, useLocation } from 'react-router-dom';
import type { Notification, Page } from '../api/types';
import { useApi } from '../lib/hooks';
import { navigation, ROLE_LABELS } from '../lib/roles';
import { useLiveConnection } from '../lib/live';
import { useMe, useSession } from '../lib/session';
import logo from '../assets/favicon.svg';

// The frame of every page: a skip link, the header with the navigation for the user's roles,
// the "Report an event" button (one click from anywhere), and the user's menu.
export function Shell({ children }: { children: ReactNode }) {
  const { me, can } = useMe();
  const { signOut } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  const notifications = useApi<Page<Notification>>(`/api/v1/me/notifications?unread=true&limit=50`);
  const unread = notifications.data?.items.length ?? 0;

  useEffect(() => setMenuOpen(false), [location.pathname]);
  useLiveConnection();

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/" className="brand" aria-label="custos home">
            <img src={logo} alt="" width={24} height={24} />
            <span>custos</span>
          </Link>
          <button
            type="button"
            className="menu-toggle"
            aria-expanded={menuOpen}
            aria-controls="main-nav"
            onClick={() => setMenuOpen((o) => !o)}
          >
            Menu
          </button>
          <nav id="main-nav" className={`main-nav${menuOpen ? ' open' : ''}`} aria-label="Main">
            <ul>
              {navigation(can).map((item) => (
                <li key={item.to}>
                  <NavLink to={item.to} end={item.to === '/'}>
                    {item.label}
                  </NavLink>
                </li>
              ))}
            </ul>
            <div className="nav-user">
              <NavLink to="/account" className="user-link" title={me.roles.map((r) => ROLE_LABELS[r]).join(', ')}>
                {me.display_name || me.username}
                {unread > 0 ? (
                  <span className="count" aria-label={`${unread} unread notifications`}>
                    {unread}
                  </span>
                ) : null}
              </NavLink>
              <button type="button" className="btn btn-quiet" onClick={() => void signOut()}>
                Sign out
              </button>
            </div>
          </nav>
          {can.report ? (
            <Link to="/report" className="btn btn-report">
              Report an event
            </Link>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
