import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import type { Calendar, Impact, Page, PriorityMatrix, PriorityMatrixVersion, SlaPolicy as SlaPolicyT, SlaPolicyVersion, Urgency } from '../../api/types';
import { IMPACTS, URGENCIES } from '../../api/types';
import { ErrorMessage, Field, Loading, Notice } from '../../components/ui';
import { actorName, formatDateTime } from '../../lib/format';
import { forget, useApi } from '../../lib/hooks';
import { humanize } from '../../lib/priority';
import { describeError, formErrors, NO_ERRORS, type FormErrors } from '../../lib/problem';
import { useMe } from '../../lib/session';

// The priority matrix: impact × urgency → P1–P4. Each save is a new, audited version; incidents
// keep the version they were rated with until their impact or urgency changes.
export function Matrix() {
  const { can } = useMe();
  const current = useApi<PriorityMatrixVersion>('/api/v1/settings/priority-matrix');
  const history = useApi<Page<PriorityMatrixVersion>>('/api/v1/settings/priority-matrix/history');
  const [matrix, setMatrix] = useState<PriorityMatrix | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<number | null>(null);

  useEffect(() => {
    if (current.data) setMatrix(structuredClone(current.data.matrix));
  }, [current.data]);

  if (!matrix || !current.data) return current.error ? <ErrorMessage>{describeError(current.error)}</ErrorMessage> : <Loading />;
  const dirty = JSON.stringify(matrix) !== JSON.stringify(current.data.matrix);

  async function save() {
    setError(null);
    setSaved(null);
    try {
      const v = await api.put<PriorityMatrixVersion>('/api/v1/settings/priority-matrix', matrix);
      forget('/api/v1/settings/priority-matrix');
      current.setData(v);
      setSaved(v.version);
      await history.reload();
    } catch (err) {
      setError(describeError(err));
    }
  }

  return (
    <section className="card" aria-labelledby="matrix-h">
      <h2 id="matrix-h">Priority matrix</h2>
      <p className="muted">
        Version {current.data.version}, by {actorName(current.data.created_by)} on {formatDateTime(current.data.created_at)}. A change applies to incidents
        logged or re-rated from now on.
      </p>
      {saved ? <Notice kind="success">Saved as version {saved}.</Notice> : null}
      <ErrorMessage>{error}</ErrorMessage>
      <div className="table-scroll">
        <table className="matrix">
          <caption className="sr-only">Priority by impact (rows) and urgency (columns)</caption>
          <thead>
            <tr>
              <th scope="col">Impact \ urgency</th>
              {URGENCIES.map((u) => (
                <th key={u} scope="col">
                  {humanize(u)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {IMPACTS.map((i: Impact) => (
              <tr key={i}>
                <th scope="row">{humanize(i)}</th>
                {URGENCIES.map((u: Urgency) => (
                  <td key={u} className={`prio-cell prio-${matrix[i][u]}`}>
                    <label className="sr-only" htmlFor={`m-${i}-${u}`}>
                      Priority for {i} impact and {u} urgency
                    </label>
                    <select
                      id={`m-${i}-${u}`}
                      value={matrix[i][u]}
                      disabled={!can.reference}
                      onChange={(e) => setMatrix((m) => ({ ...m!, [i]: { ...m![i], [u]: Number(e.target.value) } }))}
                    >
                      {[1, 2, 3, 4].map((p) => (
                        <option key={p} value={p}>
                          P{p}
                        </option>
                      ))}
                    </select>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {can.reference ? (
        <div className="form-actions">
          <button type="button" className="btn btn-primary" disabled={!dirty} onClick={() => void save()}>
            Save as a new version
          </button>
          {dirty ? (
            <button type="button" className="btn btn-quiet" onClick={() => setMatrix(structuredClone(current.data!.matrix))}>
              Discard changes
            </button>
          ) : null}
        </div>
      ) : null}
      {history.data && history.data.items.length > 1 ? (
        <details className="history">
          <summary>Earlier versions ({history.data.items.length - 1})</summary>
          <ul className="plain">
            {history.data.items
              .filter((v) => v.version !== current.data!.version)
              .map((v) => (
                <li key={v.version}>
                  Version {v.version} by {actorName(v.created_by)}, {formatDateTime(v.created_at)}
                </li>
              ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}

const PRIOS = ['P1', 'P2', 'P3', 'P4'] as const;

export function SlaPolicy() {
  const { can } = useMe();
  const current = useApi<SlaPolicyVersion>('/api/v1/settings/sla-policy');
  const calendars = useApi<Page<Calendar>>('/api/v1/settings/calendars');
  const [policy, setPolicy] = useState<SlaPolicyT | null>(null);
  const [thresholds, setThresholds] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [saved, setSaved] = useState<number | null>(null);

  useEffect(() => {
    if (current.data) {
      setPolicy(structuredClone(current.data.policy));
      setThresholds((current.data.policy.thresholds_percent ?? []).join(', '));
    }
  }, [current.data]);

  if (!policy) return current.error ? <ErrorMessage>{describeError(current.error)}</ErrorMessage> : <Loading />;

  async function save() {
    setErrors(NO_ERRORS);
    setSaved(null);
    try {
      const body = {
        targets: policy!.targets,
        thresholds_percent: thresholds
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map(Number),
      };
      const v = await api.put<SlaPolicyVersion>('/api/v1/settings/sla-policy', body);
      current.setData(v);
      setSaved(v.version);
    } catch (err) {
      setErrors(formErrors(err, ['thresholds_percent', 'targets']));
    }
  }

  const setTarget = (p: (typeof PRIOS)[number], k: 'response_minutes' | 'resolution_minutes' | 'calendar', v: string) =>
    setPolicy((x) => ({ ...x!, targets: { ...x!.targets, [p]: { ...x!.targets[p], [k]: k === 'calendar' ? v : Number(v) } } }));

  return (
    <section className="card" aria-labelledby="sla-h">
      <h2 id="sla-h">SLA policy</h2>
      <p className="muted">
        Targets in business minutes on the chosen calendar. Version {current.data?.version}, by {actorName(current.data?.created_by)} on{' '}
        {formatDateTime(current.data?.created_at)}. Incidents keep the version they were logged with.
      </p>
      {saved ? <Notice kind="success">Saved as version {saved}.</Notice> : null}
      <ErrorMessage>{errors.form}</ErrorMessage>
      <div className="table-scroll">
        <table className="simple-table sla-table">
          <thead>
            <tr>
              <th scope="col">Priority</th>
              <th scope="col">Time to own (min)</th>
              <th scope="col">Time to resolve (min)</th>
              <th scope="col">Calendar</th>
            </tr>
          </thead>
          <tbody>
            {PRIOS.map((p) => (
              <tr key={p}>
                <th scope="row">{p}</th>
                <td>
                  <input aria-label={`${p} time to own in minutes`} type="number" min={1} value={policy.targets[p].response_minutes} disabled={!can.reference} onChange={(e) => setTarget(p, 'response_minutes', e.target.value)} />
                </td>
                <td>
                  <input aria-label={`${p} time to resolve in minutes`} type="number" min={1} value={policy.targets[p].resolution_minutes} disabled={!can.reference} onChange={(e) => setTarget(p, 'resolution_minutes', e.target.value)} />
                </td>
                <td>
                  <select aria-label={`${p} calendar`} value={policy.targets[p].calendar} disabled={!can.reference} onChange={(e) => setTarget(p, 'calendar', e.target.value)}>
                    {(calendars.data?.items ?? [{ name: policy.targets[p].calendar }]).map((c) => (
                      <option key={c.name} value={c.name}>
                        {c.name}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {errors.fields.targets ? (
        <div className="field-error" role="alert">
          {errors.fields.targets}
        </div>
      ) : null}
      <Field
        label="Escalation thresholds (% of the resolution target)"
        hint="Ascending, comma-separated: below 75 warns, 75–99 escalates, 100 and above is a breach."
        error={errors.fields.thresholds_percent}
      >
        {(p) => <input {...p} value={thresholds} disabled={!can.reference} onChange={(e) => setThresholds(e.target.value)} />}
      </Field>
      {can.reference ? (
        <div className="form-actions">
          <button type="button" className="btn btn-primary" onClick={() => void save()}>
            Save as a new version
          </button>
        </div>
      ) : null}
    </section>
  );
}
