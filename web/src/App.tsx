import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { Loading } from './components/ui';
import { Shell } from './components/Shell';
import { useSession } from './lib/session';
import { SignIn } from './pages/SignIn';
import { Home } from './pages/Home';
import { Report } from './pages/Report';
import { Queue } from './pages/Queue';
import { IncidentPage } from './pages/IncidentPage';
import { NewIncident } from './pages/NewIncident';
import { NotFound } from './pages/NotFound';

// Pages few people open are loaded when first visited, to keep the first load small.
const Account = lazy(() => import('./pages/Account'));
const Problems = lazy(() => import('./pages/Problems'));
const ProblemPage = lazy(() => import('./pages/ProblemPage'));
const Admin = lazy(() => import('./pages/admin/Admin'));
const Audit = lazy(() => import('./pages/Audit'));
const Triage = lazy(() => import('./pages/Triage'));
const EventPage = lazy(() => import('./pages/EventPage'));
const EvidencePage = lazy(() => import('./pages/EvidencePage'));

export function App() {
  const { state, me, can } = useSession();
  const location = useLocation();

  if (state.status === 'loading') return <Loading what="Starting custos" />;
  if (state.status === 'signed-out') {
    return <SignIn reason={state.reason} from={location.pathname + location.search} />;
  }
  if (me?.mfa_enrolment_required) {
    return (
      <Suspense fallback={<Loading />}>
        <Account enrolmentOnly />
      </Suspense>
    );
  }

  return (
    <Shell>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/login" element={<Navigate to="/" replace />} />
          <Route path="/report" element={can.report ? <Report /> : <NotAllowed />} />
          <Route path="/incidents" element={<Queue />} />
          <Route path="/incidents/new" element={can.work ? <NewIncident /> : <Navigate to="/report" replace />} />
          <Route path="/incidents/:key" element={<IncidentPage />} />
          <Route path="/triage" element={can.work ? <Triage /> : <NotAllowed />} />
          <Route path="/reports/:key" element={<EventPage />} />
          <Route path="/evidence/:key" element={can.evidence ? <EvidencePage /> : <NotFound message="There is no such evidence item, or it belongs to an incident you may not see." />} />
          <Route path="/problems" element={<Problems />} />
          <Route path="/problems/:key" element={<ProblemPage />} />
          <Route path="/account" element={<Account />} />
          <Route path="/admin/*" element={can.reference || can.admin ? <Admin /> : <NotAllowed />} />
          <Route path="/audit" element={can.audit ? <Audit /> : <NotAllowed />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </Shell>
  );
}

function NotAllowed() {
  return <NotFound message="Your roles do not include this page. Ask an administrator if you need it." />;
}
