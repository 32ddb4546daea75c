import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError, idempotencyKey } from '../../api/client';
import type { Incident } from '../../api/types';
import { postAndSave, putWithProgress, type Progress } from '../../api/transfer';
import { LegalHold, legalHoldsPath } from '../../components/LegalHold';
import { ErrorMessage, Field, Loading, Notice } from '../../components/ui';
import { UploadProgress } from '../../components/UploadProgress';
import {
  ALGORITHM_LABELS,
  EVIDENCE_TYPES,
  HASH_ALGORITHMS,
  TYPE_LABELS,
  declaredHashProblem,
  integrityFailed,
  shortHash,
  type EvidenceItem,
  type EvidenceType,
  type HashAlgorithm,
  type LegalHolds,
} from '../../lib/evidence';
import { formatBytes, formatDateTime, localInputToIso } from '../../lib/format';
import { prefetch, useApi } from '../../lib/hooks';
import { describeError, formErrors, NO_ERRORS, type FormErrors } from '../../lib/problem';
import { useMe } from '../../lib/session';

function evidencePath(incidentKey: string) {
  return `/api/v1/incidents/${encodeURIComponent(incidentKey)}/evidence`;
}

// Asked for together with the incident, so that the section does not wait for it.
export function prefetchEvidence(incidentKey: string) {
  prefetch(evidencePath(incidentKey));
  prefetch(legalHoldsPath(incidentKey));
}

// The incident's evidence vault: its items with their computed hashes, a flagged mismatch with
// the collector's hash, who holds each, the legal hold, and the form that records a new item.
export function Evidence({ incident }: { incident: Incident }) {
  const { can } = useMe();
  const items = useApi<{ items: EvidenceItem[] }>(can.evidence ? evidencePath(incident.key) : null);
  const holds = useApi<LegalHolds>(can.evidence ? legalHoldsPath(incident.key) : null);
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<EvidenceItem | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  if (!can.evidence) return null;
  const list = items.data?.items ?? [];

  return (
    <section className="card evidence" aria-labelledby="evidence-h">
      <div className="card-head">
        <h2 id="evidence-h">Evidence</h2>
        <div className="button-row">
          {can.evidenceWork && list.length > 0 ? <ExportAll incident={incident.key} onSaved={setSaved} onError={setExportError} /> : null}
          {can.evidenceWork && !adding ? (
            <button type="button" className="btn" onClick={() => setAdding(true)}>
              Add evidence
            </button>
          ) : null}
        </div>
      </div>
      <ErrorMessage>{exportError}</ErrorMessage>
      {saved ? <Notice kind="success">Saved {saved}. Check it with custos evidence verify {saved}.</Notice> : null}
      <LegalHold incident={incident.key} holds={holds} />
      {items.loading && !items.data ? <Loading what="Loading the evidence" /> : null}
      <ErrorMessage>{items.error ? describeError(items.error) : null}</ErrorMessage>
      {added ? (
        <Notice kind="success">
          <Link to={`/evidence/${added.key}`}>{added.key}</Link> recorded
          {added.content ? `, SHA-256 ${shortHash(added.content.sha256)}` : ''}
          {added.hash_mismatch ? ' — its content does not match the declared hash.' : '.'}
        </Notice>
      ) : null}
      {items.data && list.length === 0 ? <p className="muted">No evidence yet. Record disk images, logs, e-mails and physical items here, with their chain of custody.</p> : null}
      <ul className="evidence-list">
        {list.map((e) => (
          <EvidenceLine key={e.key} item={e} />
        ))}
      </ul>
      {adding ? (
        <AddEvidence
          incident={incident}
          onCancel={() => setAdding(false)}
          onAdded={async (item) => {
            setAdded(item);
            setAdding(false);
            await items.reload();
          }}
        />
      ) : null}
    </section>
  );
}

// The signed package of all the incident's evidence (each export is a custody entry of every item).
function ExportAll({ incident, onSaved, onError }: { incident: string; onSaved: (name: string) => void; onError: (message: string | null) => void }) {
  const [busy, setBusy] = useState(false);
  async function run() {
    setBusy(true);
    onError(null);
    try {
      onSaved(await postAndSave(`/api/v1/incidents/${encodeURIComponent(incident)}/evidence/export`, `${incident}-evidence.tar`));
    } catch (err) {
      onError(describeError(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <button type="button" className="btn btn-quiet" disabled={busy} onClick={() => void run()}>
      {busy ? 'Exporting…' : 'Export signed package'}
    </button>
  );
}

function EvidenceLine({ item: e }: { item: EvidenceItem }) {
  return (
    <li className={`evidence-line${e.state === 'disposed' ? ' disposed' : ''}`}>
      <div className="evidence-line-head">
        <Link className="key" to={`/evidence/${e.key}`}>
          {e.key}
        </Link>
        <span className="badge subtle">{TYPE_LABELS[e.type] ?? e.type}</span>
        {e.hash_mismatch ? <span className="badge mismatch">Hash mismatch</span> : null}
        {integrityFailed(e.integrity) ? <span className="badge mismatch">Integrity check: {e.integrity}</span> : null}
        {e.state === 'disposed' ? <span className="badge subtle">Disposed of</span> : null}
      </div>
      {e.description ? <div className="evidence-line-desc">{e.description}</div> : null}
      <div className="muted small">
        Collected by {e.collected_by}, {formatDateTime(e.collected_at)} · held by <strong>{e.custodian}</strong>
      </div>
      <div className="small">
        {e.content ? (
          <>
            <code className="hash" title={`SHA-256 ${e.content.sha256}`}>
              SHA-256 {shortHash(e.content.sha256)}
            </code>{' '}
            <span className="muted">{formatBytes(e.content.size)}</span>
          </>
        ) : (
          <span className="muted">{e.type === 'physical_item' ? 'No file: a physical item' : 'No content uploaded yet'}</span>
        )}
      </div>
    </li>
  );
}

interface Draft {
  type: EvidenceType;
  description: string;
  source: string;
  location: string;
  collected_by: string;
  collected_at: string;
  method: string;
  declared_hash_algorithm: HashAlgorithm;
  declared_hash: string;
}

const FIELDS = ['type', 'description', 'source', 'location', 'collected_by', 'collected_at', 'method', 'declared_hash_algorithm', 'declared_hash', 'body'] as const;

// Records an item (its metadata and the collector's hash), then streams its file, if any, to
// the vault, which hashes it on the way and flags a mismatch with the declared hash.
function AddEvidence({ incident, onAdded, onCancel }: { incident: Incident; onAdded: (item: EvidenceItem) => Promise<void>; onCancel: () => void }) {
  const { me } = useMe();
  const [draft, setDraft] = useState<Draft>({
    type: 'disk_image',
    description: '',
    source: '',
    location: '',
    collected_by: me.username,
    collected_at: '',
    method: '',
    declared_hash_algorithm: 'sha256',
    declared_hash: '',
  });
  const [file, setFile] = useState<File | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [orphan, setOrphan] = useState<EvidenceItem | null>(null);
  const upload = useRef<AbortController | null>(null);
  const physical = draft.type === 'physical_item';
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    const hashProblem = declaredHashProblem(draft.declared_hash_algorithm, draft.declared_hash);
    if (hashProblem) {
      setErrors({ fields: { declared_hash: hashProblem }, form: null });
      return;
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    setOrphan(null);
    let item: EvidenceItem | null = null;
    try {
      const body: Record<string, unknown> = { type: draft.type, collected_by: draft.collected_by.trim() };
      for (const k of ['description', 'source', 'location', 'method'] as const) if (draft[k].trim()) body[k] = draft[k].trim();
      const at = localInputToIso(draft.collected_at);
      if (draft.collected_at && !at) throw new ApiError({ status: 422, errors: [{ field: 'collected_at', message: 'is not a date and time' }] });
      if (at) body.collected_at = at;
      if (draft.declared_hash.trim()) {
        body.declared_hash_algorithm = draft.declared_hash_algorithm;
        body.declared_hash = draft.declared_hash.trim().toLowerCase();
      }
      item = await api.post<EvidenceItem>(`/api/v1/incidents/${encodeURIComponent(incident.key)}/evidence`, body, { headers: { 'Idempotency-Key': idempotencyKey() } });
      if (file && !physical) {
        setProgress({ sent: 0, total: file.size });
        const query = `?filename=${encodeURIComponent(file.name)}`;
        upload.current = new AbortController();
        item = await putWithProgress<EvidenceItem>(`/api/v1/evidence/${item.key}/content${query}`, file, setProgress, upload.current.signal);
      }
      await onAdded(item);
    } catch (err) {
      // The item is recorded but its file did not arrive: say so, and where to finish it.
      if (item) setOrphan(item);
      setErrors(formErrors(err, FIELDS));
    } finally {
      setBusy(false);
      setProgress(null);
    }
  }

  return (
    <form className="add-evidence" onSubmit={submit} noValidate aria-labelledby="add-evidence-h">
      <h3 id="add-evidence-h">Add evidence</h3>
      <ErrorMessage>
        {orphan ? (
          <>
            <Link to={`/evidence/${orphan.key}`}>{orphan.key}</Link> was recorded, but its file was not stored: {errors.form ?? errors.fields.body ?? ''} Upload it again from the item&rsquo;s page.
          </>
        ) : (
          errors.form
        )}
      </ErrorMessage>
      <div className="grid-2">
        <Field label="Type" required error={errors.fields.type}>
          {(p) => (
            <select {...p} value={draft.type} onChange={(e) => set('type', e.target.value as EvidenceType)}>
              {EVIDENCE_TYPES.map((t) => (
                <option key={t} value={t}>
                  {TYPE_LABELS[t]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Collected by" required error={errors.fields.collected_by} hint="A name; the collector needs no account.">
          {(p) => <input {...p} value={draft.collected_by} maxLength={200} onChange={(e) => set('collected_by', e.target.value)} />}
        </Field>
      </div>
      <Field label="Description" required error={errors.fields.description}>
        {(p) => <textarea {...p} rows={2} value={draft.description} maxLength={4000} onChange={(e) => set('description', e.target.value)} placeholder="What it is, e.g. Image of the finance laptop's disk" />}
      </Field>
      <div className="grid-2">
        <Field label="Source" error={errors.fields.source} hint="Where it came from: a host, an asset tag, a mailbox.">
          {(p) => <input {...p} value={draft.source} maxLength={500} onChange={(e) => set('source', e.target.value)} />}
        </Field>
        <Field label="Storage location" error={errors.fields.location} hint="Where it is kept, e.g. evidence locker 2.">
          {(p) => <input {...p} value={draft.location} maxLength={500} onChange={(e) => set('location', e.target.value)} />}
        </Field>
        <Field label="Collected at" error={errors.fields.collected_at} hint="Empty: now.">
          {(p) => <input {...p} type="datetime-local" value={draft.collected_at} onChange={(e) => set('collected_at', e.target.value)} />}
        </Field>
        <Field label="Method or tool" error={errors.fields.method}>
          {(p) => <input {...p} value={draft.method} maxLength={500} onChange={(e) => set('method', e.target.value)} placeholder="e.g. dd with a write blocker" />}
        </Field>
      </div>
      {!physical ? (
        <>
          <div className="declared-hash">
            <Field label="Hash algorithm" error={errors.fields.declared_hash_algorithm}>
              {(p) => (
                <select {...p} value={draft.declared_hash_algorithm} onChange={(e) => set('declared_hash_algorithm', e.target.value as HashAlgorithm)}>
                  {HASH_ALGORITHMS.map((a) => (
                    <option key={a} value={a}>
                      {ALGORITHM_LABELS[a]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Declared hash" error={errors.fields.declared_hash} hint="The digest the collector wrote down, if any. custos computes its own and flags a difference.">
              {(p) => <input {...p} className="mono" value={draft.declared_hash} spellCheck={false} autoComplete="off" onChange={(e) => set('declared_hash', e.target.value)} />}
            </Field>
          </div>
          <Field label="File" error={errors.fields.body} hint={file ? `${file.name}, ${formatBytes(file.size)}` : 'Optional now; it can be uploaded once, later, from the item’s page.'}>
            {(p) => <input {...p} ref={fileInput} type="file" disabled={busy} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />}
          </Field>
        </>
      ) : (
        <p className="muted small">A physical item has no file; its chain of custody is recorded all the same.</p>
      )}
      <UploadProgress progress={progress} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? (progress ? 'Uploading…' : 'Recording…') : 'Record evidence'}
        </button>
        {/* While the file is on its way, Cancel stops the upload; the item stays recorded without it. */}
        <button type="button" className="btn btn-quiet" onClick={progress ? () => upload.current?.abort() : onCancel} disabled={busy && !progress}>
          {progress ? 'Cancel the upload' : 'Cancel'}
        </button>
      </div>
    </form>
  );
}
