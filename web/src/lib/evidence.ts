// Evidence items and their chain of custody as the API gives them (see docs/evidence.md), and
// the rules the pages need to show them: labels, which custody actions a person may record and
// what each one asks for, and how a hash is shortened for a list.

export type EvidenceType = 'disk_image' | 'memory_capture' | 'log_extract' | 'email' | 'screenshot' | 'document' | 'physical_item';
export type HashAlgorithm = 'sha256' | 'sha512' | 'sha1' | 'md5';
export type CustodyAction = 'collected' | 'received' | 'transferred' | 'accessed' | 'analysed' | 'downloaded' | 'exported' | 'returned' | 'disposed';

export interface EvidenceItem {
  key: string;
  incident: string;
  type: EvidenceType;
  description: string;
  source: string;
  location: string;
  collected_by: string;
  collected_at: string;
  method: string;
  custodian: string;
  declared_hash: { algorithm: HashAlgorithm; value: string; matches: boolean | null } | null;
  hash_mismatch: boolean;
  content: {
    size: number;
    sha256: string;
    sha512: string;
    content_type: string | null;
    filename: string | null;
    encrypted: boolean;
    stored_at: string | null;
    download: string;
  } | null;
  integrity: string | null;
  last_verified_at: string | null;
  state: 'active' | 'disposed';
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface CustodyEntry {
  id: number;
  action: CustodyAction;
  actor: string;
  from: string | null;
  to: string | null;
  at: string;
  location: string;
  purpose: string;
  audit_seq: number;
}

export interface LegalHold {
  id: number;
  incident: string;
  active: boolean;
  reason: string;
  set_by: string;
  set_at: string;
  released_by: string | null;
  released_at: string | null;
  release_reason: string | null;
}

export interface LegalHolds {
  active: boolean;
  items: LegalHold[];
}

export const EVIDENCE_TYPES: EvidenceType[] = ['disk_image', 'memory_capture', 'log_extract', 'email', 'screenshot', 'document', 'physical_item'];

export const TYPE_LABELS: Record<EvidenceType, string> = {
  disk_image: 'Disk image',
  memory_capture: 'Memory capture',
  log_extract: 'Log extract',
  email: 'E-mail',
  screenshot: 'Screenshot',
  document: 'Document',
  physical_item: 'Physical item',
};

export const HASH_ALGORITHMS: HashAlgorithm[] = ['sha256', 'sha512', 'sha1', 'md5'];
export const ALGORITHM_LABELS: Record<HashAlgorithm, string> = { sha256: 'SHA-256', sha512: 'SHA-512', sha1: 'SHA-1', md5: 'MD5' };
// Hex digits per digest, to catch a pasted hash of the wrong kind before any byte is sent.
export const HASH_LENGTHS: Record<HashAlgorithm, number> = { sha256: 64, sha512: 128, sha1: 40, md5: 32 };

export const ACTION_LABELS: Record<CustodyAction, string> = {
  collected: 'Collected',
  received: 'Received',
  transferred: 'Transferred',
  accessed: 'Accessed',
  analysed: 'Analysed',
  downloaded: 'Downloaded',
  exported: 'Exported',
  returned: 'Returned',
  disposed: 'Disposed of',
};

// What a person records; custos itself writes collected, downloaded and exported when they happen.
export type RecordableAction = 'received' | 'transferred' | 'analysed' | 'accessed' | 'returned' | 'disposed';
export const RECORDABLE_ACTIONS: RecordableAction[] = ['received', 'transferred', 'analysed', 'accessed', 'returned', 'disposed'];

// The inputs each action shows: the server asks for the same (src/evidence/custody.cpp).
export interface ActionFields {
  from: boolean;
  to: boolean;
  toRequired: boolean;
  purposeRequired: boolean;
}

export function actionFields(action: RecordableAction): ActionFields {
  switch (action) {
    case 'transferred':
      return { from: true, to: true, toRequired: true, purposeRequired: false };
    case 'returned':
      return { from: false, to: true, toRequired: true, purposeRequired: false };
    case 'received':
      return { from: false, to: true, toRequired: false, purposeRequired: false };
    case 'analysed':
    case 'accessed':
    case 'disposed':
      return { from: false, to: false, toRequired: false, purposeRequired: true };
  }
}

// The actions left for an item: none once disposed of, and no disposal under legal hold.
export function recordableActions(item: Pick<EvidenceItem, 'state'>, legalHold: boolean): RecordableAction[] {
  if (item.state === 'disposed') return [];
  return RECORDABLE_ACTIONS.filter((a) => a !== 'disposed' || !legalHold);
}

// "9f86d081…0f00a08" — enough to compare by eye, short enough for a list.
export function shortHash(hex: string | null | undefined): string {
  if (!hex) return '';
  return hex.length <= 20 ? hex : `${hex.slice(0, 12)}…${hex.slice(-6)}`;
}

// Whether a declared hash has the shape of its algorithm's digest; an empty one is fine (optional).
export function declaredHashProblem(algorithm: HashAlgorithm, value: string): string | null {
  const v = value.trim();
  if (!v) return null;
  if (!/^[0-9a-fA-F]+$/.test(v)) return 'A hash is written in hexadecimal digits (0–9, a–f).';
  if (v.length !== HASH_LENGTHS[algorithm]) return `A ${ALGORITHM_LABELS[algorithm]} hash has ${HASH_LENGTHS[algorithm]} hexadecimal digits, this one has ${v.length}.`;
  return null;
}

// Whether the last re-hash found the stored file changed or gone (not: fine, or not checked yet).
export function integrityFailed(integrity: string | null): boolean {
  return integrity === 'mismatch' || integrity === 'missing';
}

// Custody times are read in court: to the second, in the reader's time zone, with the zone named.
let custodyTime: Intl.DateTimeFormat | null = null;
export function formatCustodyTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  custodyTime ??= new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' });
  return custodyTime.format(d);
}

// How a custody entry reads in the history: "alice → bob" for a hand-over. Entries custos writes
// itself (a download, an export) name only who did it.
export function handOver(e: Pick<CustodyEntry, 'from' | 'to'> & { action?: CustodyAction }): string {
  if (e.action === 'downloaded' || e.action === 'exported' || e.action === 'accessed' || e.action === 'analysed') return '';
  if (e.from && e.to) return `${e.from} → ${e.to}`;
  if (e.to) return `to ${e.to}`;
  if (e.from) return `from ${e.from}`;
  return '';
}

export function normaliseEvidenceKey(text: string): string {
  return text.trim().toUpperCase();
}
