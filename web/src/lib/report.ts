import type { Category, Impact, Urgency } from '../api/types';

// The report form asks in everyday words; these map the answers to the taxonomy and to impact
// and urgency, which the service desk can correct during triage.
export interface ReportKind {
  id: string;
  label: string;
  hint: string;
  category: string;
  subcategory: string | null;
}

export const REPORT_KINDS: ReportKind[] = [
  { id: 'phishing', label: 'A suspicious e-mail, message or call', hint: 'Phishing, a fake invoice, someone asking for your password', category: 'fraud', subcategory: 'phishing' },
  { id: 'malware', label: 'A computer or phone behaves strangely', hint: 'Pop-ups, files you cannot open, a ransom note, antivirus alerts', category: 'malicious-code', subcategory: 'infected-system' },
  { id: 'account', label: 'Someone may be using my account', hint: 'Sign-ins you did not make, changed passwords, odd sent mail', category: 'intrusion', subcategory: 'unprivileged-account-compromise' },
  { id: 'leak', label: 'Information went where it should not', hint: 'Sent to the wrong person, posted publicly, a lost or stolen device', category: 'information-content-security', subcategory: 'data-leak' },
  { id: 'weakness', label: 'A weakness I noticed', hint: 'Something that could be misused: an open door, a shared password, an exposed system', category: 'vulnerable', subcategory: null },
  { id: 'outage', label: 'A service is down or very slow', hint: 'Something you need for work stopped working', category: 'availability', subcategory: 'outage' },
  { id: 'other', label: 'Something else, or not sure', hint: 'Describe what you saw; the security team will classify it', category: 'other', subcategory: 'undetermined' },
];

// The kind's classification as far as the server's taxonomy has it (an administrator may have
// retired a subcategory): the subcategory, else its class, else "other".
export function classify(kind: ReportKind, categories: Category[]): { category: string; subcategory: string | null } {
  const active = (code: string | null) => code !== null && categories.some((c) => c.code === code && c.active);
  if (active(kind.category)) {
    return { category: kind.category, subcategory: active(kind.subcategory) ? kind.subcategory : null };
  }
  return { category: 'other', subcategory: null };
}

export type Reach = 'me' | 'team' | 'many' | 'everyone';
export type Ongoing = 'now' | 'maybe' | 'over';

export const REACH: Record<Reach, { label: string; impact: Impact }> = {
  me: { label: 'Only me', impact: 'minor' },
  team: { label: 'My team or a few people', impact: 'moderate' },
  many: { label: 'A department or many people', impact: 'significant' },
  everyone: { label: 'The whole organisation', impact: 'extensive' },
};

export const ONGOING: Record<Ongoing, { label: string; urgency: Urgency }> = {
  now: { label: 'Yes, it is happening now', urgency: 'high' },
  maybe: { label: 'I do not know', urgency: 'medium' },
  over: { label: 'No, it is over or has not started', urgency: 'low' },
};

// "within 4 hours", "within 30 minutes" — for "what happens next".
export function withinWords(ms: number): string {
  const minutes = Math.round(ms / 60000);
  if (minutes < 60) return `within ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `within ${hours} hour${hours === 1 ? '' : 's'}`;
  const days = Math.round(hours / 24);
  return `within ${days} days`;
}
