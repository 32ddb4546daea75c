import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api/client';
import type { Incident, Page } from '../api/types';
import { useApi } from '../lib/hooks';
import { describeError } from '../lib/problem';
import { useMe } from '../lib/session';
import { ErrorMessage, Notice } from './ui';

interface DemoLoad {
  incidents: number;
  open: number;
  audit_entries: number;
}

// On an empty database: an administrator is offered demo data in one click (POST /api/v1/demo,
// the same loader as `custos demo load`); everyone else is told the command to ask for.
export function DemoOffer({ onLoaded }: { onLoaded?: () => void }) {
  const { can } = useMe();
  const any = useApi<Page<Incident>>('/api/v1/incidents?limit=1');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [loaded, setLoaded] = useState<DemoLoad | null>(null);

  if (loaded) {
    return (
      <Notice kind="success">
        Loaded {loaded.incidents} demo incidents ({loaded.open} still open), with their people and support groups.{' '}
        <Link to="/incidents">Open the queue</Link>.
      </Notice>
    );
  }
  if (!any.data || any.data.items.length > 0) return null;

  async function load() {
    setBusy(true);
    setError(null);
    try {
      setLoaded(await api.post<DemoLoad>('/api/v1/demo', {}));
      onLoaded?.();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card demo-offer" aria-labelledby="demo-h">
      <h2 id="demo-h">No incidents yet — explore custos with demo data?</h2>
      <p className="muted">
        Realistic incidents of the past months, with support groups, agents and their worklogs, loaded through the same rules as real ones
        (audited, rated, on the SLA clock). Only on an empty database, so never on one in production use.
      </p>
      {can.admin ? (
        <>
          <ErrorMessage>{error ? describeError(error) : null}</ErrorMessage>
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void load()}>
            {busy ? 'Loading demo data…' : 'Load demo data'}
          </button>
        </>
      ) : (
        <p>
          An administrator can load it here, or on the server with <code>custos demo load --incidents 200</code>.
        </p>
      )}
    </section>
  );
}
