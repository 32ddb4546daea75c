import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../api/client';
import { postAndSave, putWithProgress, type Progress } from '../api/transfer';
import { LegalHold, legalHoldsPath } from '../components/LegalHold';
import { ErrorMessage, Field, Loading, Notice, PageHeader } from '../components/ui';
import { UploadProgress } from '../components/UploadProgress';
import { ACTION_LABELS, ALGORITHM_LABELS, TYPE_LABELS, formatCustodyTime, handOver, integrityFailed, type CustodyEntry, type EvidenceItem, type LegalHolds } from '../lib/evidence';
import { actorName, formatBytes, formatDateTime } from '../lib/format';
import { useApi, useTitle } from '../lib/hooks';
import { describeError } from '../lib/problem';
import { useMe } from '../lib/session';
import { NotFound } from './NotFound';
import { RecordCustody } from './evidence/RecordCustody';

const REFRESH_MS = 20_000;

// One evidence item (EVD-…) as a court would want to read it: what it is and who collected it,
// the hashes custos computed and the one the collector declared, the complete chain of custody,
// and the actions that add to it — a custody entry, a download, a signed export package.
export default function EvidencePage() {
  const { key = '' } = useParams();
  const { can } = useMe();
  useTitle(key);
  const path = `/api/v1/evidence/${encodeURIComponent(key)}`;
  const item = useApi<EvidenceItem>(path);
  const custody = useApi<{ items: CustodyEntry[] }>(`${path}/custody`);
  const incidentKey = item.data?.incident ?? null;
  const holds = useApi<LegalHolds>(incidentKey ? legalHoldsPath(incidentKey) : null);
  const e = item.data;

  // Read both again after anything that writes custody (a transfer moves the custodian).
  const refresh = async () => {
    await Promise.all([item.reload(), custody.reload()]);
  };

  // Others record custody too (there is no live event for it): read the item again now and then.
  const { reload: reloadItem } = item;
  const { reload: reloadCustody } = custody;
  useEffect(() => {
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') void Promise.all([reloadItem(), reloadCustody()]);
    }, REFRESH_MS);
    return () => clearInterval(t);
  }, [reloadItem, reloadCustody]);

  if (item.loading && !e) return <Loading what={`Loading ${key}`} />;
  if (!e) {
    if ((item.error as { status?: number })?.status === 404) return <NotFound message={`There is no evidence item ${key}, or it belongs to an incident you may not see.`} />;
    return (
      <div className="page narrow">
        <ErrorMessage>{describeError(item.error)}</ErrorMessage>
      </div>
    );
  }
  const entries = custody.data?.items ?? [];
  const underHold = holds.data?.active ?? false;

  return (
    <div className="page evidence-page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/incidents">Incidents</Link> <span aria-hidden="true">›</span> <Link to={`/incidents/${e.incident}`}>{e.incident}</Link> <span aria-hidden="true">›</span> {e.key}
      </nav>
      <PageHeader
        title={e.description || TYPE_LABELS[e.type] || e.key}
        subtitle={
          <>
            <span className="key big">{e.key}</span> <span className="badge subtle">{TYPE_LABELS[e.type] ?? e.type}</span>{' '}
            {e.state === 'disposed' ? <span className="badge subtle">Disposed of</span> : <span className="badge status">Held by {e.custodian}</span>}{' '}
            {e.hash_mismatch ? <span className="badge mismatch">Hash mismatch</span> : null}
          </>
        }
      />
      <LegalHold incident={e.incident} holds={holds} />
      {e.hash_mismatch ? (
        <div className="alert alert-error" role="status">
          <strong>Hash mismatch.</strong> The content custos stored does not match the {ALGORITHM_LABELS[e.declared_hash?.algorithm ?? 'sha256']} hash the collector declared. Both are kept and shown below; find out why before relying on this item.
        </div>
      ) : null}
      {integrityFailed(e.integrity) ? (
        <div className="alert alert-error" role="status">
          <strong>Integrity check failed ({e.integrity}).</strong> The stored file no longer matches the hashes recorded when it was uploaded (checked {formatDateTime(e.last_verified_at)}).
        </div>
      ) : null}
      <div className="evidence-grid">
        <div>
          <section className="card" aria-labelledby="ev-item-h">
            <h2 id="ev-item-h">Item</h2>
            <dl className="facts">
              <Fact label="Incident">
                <Link to={`/incidents/${e.incident}`}>{e.incident}</Link>
              </Fact>
              <Fact label="Type">{TYPE_LABELS[e.type] ?? e.type}</Fact>
              <Fact label="Description">{e.description}</Fact>
              <Fact label="Source">{e.source}</Fact>
              <Fact label="Storage location">{e.location}</Fact>
              <Fact label="Collected by">{e.collected_by}</Fact>
              <Fact label="Collected at">
                <FullTime iso={e.collected_at} />
              </Fact>
              <Fact label="Method or tool">{e.method}</Fact>
              <Fact label="Held by">{e.custodian}</Fact>
              <Fact label="State">{e.state === 'disposed' ? 'Disposed of' : 'Active'}</Fact>
              <Fact label="Recorded">
                {e.created_by ? `by ${actorName(e.created_by)}, ` : ''}
                <FullTime iso={e.created_at} />
              </Fact>
              {e.last_verified_at ? (
                <Fact label="Last re-hashed">
                  <FullTime iso={e.last_verified_at} /> ({e.integrity ?? 'not yet'})
                </Fact>
              ) : null}
            </dl>
          </section>
          <Content item={e} onChanged={refresh} onDownloaded={() => awaitNewEntry(`${path}/custody`, entries.length, custody.setData)} />
          {can.evidenceWork && e.state === 'active' ? <RecordCustody item={e} legalHold={underHold} onRecorded={refresh} /> : null}
          {can.evidenceWork ? <ExportPackage item={e} onExported={() => void custody.reload()} /> : null}
        </div>
        <section className="card" aria-labelledby="ev-custody-h">
          <h2 id="ev-custody-h">Chain of custody</h2>
          <p className="muted small">Every hand-over and every access, oldest first. Entries are never edited or deleted; each is also in the signed audit trail.</p>
          {custody.loading && !custody.data ? <Loading what="Loading the chain of custody" /> : null}
          <ErrorMessage>{custody.error ? describeError(custody.error) : null}</ErrorMessage>
          <ol className="timeline custody" aria-label={`Chain of custody of ${e.key}`}>
            {entries.map((c) => (
              <li key={c.id} className={`tl-item custody-${c.action}`}>
                <div className="tl-meta">
                  <span className="badge subtle custody-action">{ACTION_LABELS[c.action] ?? c.action}</span>
                  <strong>{actorName(c.actor)}</strong>
                  {handOver(c) ? <span className="custody-handover">{handOver(c)}</span> : null}
                  <time dateTime={c.at} title={c.at}>
                    {formatCustodyTime(c.at)}
                  </time>
                </div>
                {c.location || c.purpose ? (
                  <dl className="custody-facts small">
                    {c.location ? (
                      <>
                        <dt>Location</dt>
                        <dd>{c.location}</dd>
                      </>
                    ) : null}
                    {c.purpose ? (
                      <>
                        <dt>Purpose</dt>
                        <dd>{c.purpose}</dd>
                      </>
                    ) : null}
                  </dl>
                ) : null}
                <div className="muted small">audit entry #{c.audit_seq}</div>
              </li>
            ))}
          </ol>
        </section>
      </div>
    </div>
  );
}

// After a download starts, the server has recorded it before the first byte: read the chain
// until the new entry is there (a download itself gives the page no answer to wait for).
async function awaitNewEntry(path: string, had: number, show: (page: { items: CustodyEntry[] }) => void) {
  for (let n = 0; n < 40; n++) {
    await new Promise((r) => setTimeout(r, n === 0 ? 200 : 500));
    try {
      const page = await api.get<{ items: CustodyEntry[] }>(path);
      show(page);
      if (page.items.length > had) return;
    } catch {
      return; // the page shows the chain as last read; the next visit reads it again
    }
  }
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  if (children === '' || children === null || children === undefined) return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

// Custody is evidence in court: the absolute time, to the second, with the UTC instant on hover.
function FullTime({ iso }: { iso: string | null }) {
  if (!iso) return <>—</>;
  return (
    <time dateTime={iso} title={iso}>
      {formatDateTime(iso)}
    </time>
  );
}

function CopyableHash({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  const code = useRef<HTMLElement>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // No clipboard (a page not served over HTTPS): select the text for Ctrl+C instead.
      const range = document.createRange();
      if (code.current) range.selectNodeContents(code.current);
      window.getSelection()?.removeAllRanges();
      window.getSelection()?.addRange(range);
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  }
  return (
    <div className="hash-row">
      <div className="hash-label">{label}</div>
      <code className="hash-full" ref={code} data-hash={label}>
        {value}
      </code>
      <button type="button" className="btn btn-quiet small" onClick={() => void copy()} aria-label={`Copy the ${label}`}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

function Content({ item: e, onChanged, onDownloaded }: { item: EvidenceItem; onChanged: () => Promise<void>; onDownloaded: () => Promise<void> }) {
  const { can } = useMe();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function upload() {
    if (!file) return;
    setError(null);
    setProgress({ sent: 0, total: file.size });
    try {
      await putWithProgress<EvidenceItem>(`/api/v1/evidence/${e.key}/content?filename=${encodeURIComponent(file.name)}`, file, setProgress);
      setFile(null);
      await onChanged();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setProgress(null);
    }
  }

  const c = e.content;
  return (
    <section className="card" aria-labelledby="ev-content-h">
      <h2 id="ev-content-h">Content and hashes</h2>
      {c ? (
        <>
          <dl className="facts">
            <Fact label="File">{c.filename ?? '—'}</Fact>
            <Fact label="Size">
              {formatBytes(c.size)} ({c.size.toLocaleString('en')} bytes)
            </Fact>
            <Fact label="Stored">
              <FullTime iso={c.stored_at} />
              {c.encrypted ? ', encrypted at rest' : ''}
            </Fact>
          </dl>
          <h3 className="small-heading">Computed by custos</h3>
          <CopyableHash label="SHA-256" value={c.sha256} />
          <CopyableHash label="SHA-512" value={c.sha512} />
        </>
      ) : (
        <p className="muted">{e.type === 'physical_item' ? 'A physical item: no file is stored.' : 'No content has been uploaded yet.'}</p>
      )}
      {e.declared_hash ? (
        <>
          <h3 className="small-heading">Declared by the collector</h3>
          <div className="hash-row">
            <div className="hash-label">{ALGORITHM_LABELS[e.declared_hash.algorithm]}</div>
            <code className="hash-full">{e.declared_hash.value}</code>
            {e.declared_hash.matches === null ? (
              <span className="badge subtle">Not compared yet</span>
            ) : e.declared_hash.matches ? (
              <span className="badge match">Matches</span>
            ) : (
              <span className="badge mismatch">Does not match</span>
            )}
          </div>
        </>
      ) : c ? (
        <p className="muted small">The collector declared no hash.</p>
      ) : null}
      <ErrorMessage>{error}</ErrorMessage>
      {notice ? <Notice>{notice}</Notice> : null}
      <div className="form-actions">
        {c && e.state === 'active' ? (
          <a
            className="btn"
            href={c.download}
            download={`${e.key}${c.filename ? `-${c.filename}` : '.bin'}`}
            onClick={() => {
              setNotice('Download started. It is recorded in the chain of custody.');
              void onDownloaded();
            }}
          >
            Download content
          </a>
        ) : null}
      </div>
      {!c && e.type !== 'physical_item' && can.evidenceWork && e.state === 'active' ? (
        <div className="upload-content">
          <Field label="File to upload" hint="Uploaded once; it cannot be replaced afterwards.">
            {(p) => <input {...p} type="file" disabled={progress !== null} onChange={(ev) => setFile(ev.target.files?.[0] ?? null)} />}
          </Field>
          <UploadProgress progress={progress} />
          <button type="button" className="btn btn-primary" disabled={!file || progress !== null} onClick={() => void upload()}>
            {progress ? 'Uploading…' : 'Upload content'}
          </button>
        </div>
      ) : null}
    </section>
  );
}

function ExportPackage({ item: e, onExported }: { item: EvidenceItem; onExported: () => void }) {
  const [busy, setBusy] = useState<'item' | 'incident' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => setSaved(null), [e.key]);

  async function exportPackage(what: 'item' | 'incident') {
    setBusy(what);
    setError(null);
    try {
      const path = what === 'item' ? `/api/v1/evidence/${e.key}/export` : `/api/v1/incidents/${e.incident}/evidence/export`;
      setSaved(await postAndSave(path, what === 'item' ? `${e.key}-evidence.tar` : `${e.incident}-evidence.tar`));
      onExported();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="card" aria-labelledby="ev-export-h">
      <h2 id="ev-export-h">Signed export</h2>
      <p className="small">
        A tar package with the files, a manifest (hashes, metadata, the chain of custody and the audit entries) and the server&rsquo;s Ed25519 signature. Anyone can check it without
        custos running: <code>custos evidence verify FILE</code>. Each export is recorded in the chain of custody.
      </p>
      <ErrorMessage>{error}</ErrorMessage>
      {saved ? <Notice kind="success">Saved {saved}.</Notice> : null}
      <div className="button-row">
        <button type="button" className="btn" disabled={busy !== null} onClick={() => void exportPackage('item')}>
          {busy === 'item' ? 'Exporting…' : `Export ${e.key}`}
        </button>
        <button type="button" className="btn btn-quiet" disabled={busy !== null} onClick={() => void exportPackage('incident')}>
          {busy === 'incident' ? 'Exporting…' : `Export all evidence of ${e.incident}`}
        </button>
      </div>
    </section>
  );
}
