import type { Dismissal, EventReport, EventStatus } from '../api/types';

// Words for reports of security events and weaknesses (EVT-…) and their triage.
export const EVENT_STATUS_LABELS: Record<EventStatus, string> = {
  new: 'New',
  triaging: 'Being assessed',
  dismissed: 'Closed',
  merged: 'Added to an incident',
  promoted: 'Became an incident',
};

export const DISMISSAL_LABELS: Record<Dismissal, string> = {
  false_positive: 'False alarm (false positive)',
  not_security: 'Not a security matter',
  duplicate: 'Already reported (duplicate)',
};

export const DECIDED: readonly EventStatus[] = ['dismissed', 'merged', 'promoted'];

export function isDecided(e: Pick<EventReport, 'status'>): boolean {
  return DECIDED.includes(e.status);
}

// What became of a report, in one sentence (addressed to its reporter, or to the service desk).
export function outcomeWords(e: Pick<EventReport, 'status' | 'incident' | 'decision'>, toReporter = true): string {
  switch (e.status) {
    case 'new':
      return 'Waiting to be assessed by the security team.';
    case 'triaging':
      return 'The security team is assessing it.';
    case 'promoted':
      return toReporter ? `It became incident ${e.incident ?? ''}, which you can follow as its reporter.` : `It became incident ${e.incident ?? ''}.`;
    case 'merged':
      return `It was added to incident ${e.incident ?? ''}, which was already being worked on.`;
    case 'dismissed': {
      const code = e.decision?.dismissal;
      if (code === 'duplicate') {
        return `Closed: it was already reported${e.decision?.duplicate_of ? ` as ${e.decision.duplicate_of}` : ''}.`;
      }
      if (code === 'not_security') return 'Closed: it is not a security matter.';
      return 'Closed: it turned out to be a false alarm.';
    }
  }
}

// The key another report or incident is named by, as typed ("inc-12" → "INC-000012"); null
// when it is not one.
export function normaliseKey(text: string, prefixes: readonly string[] = ['INC', 'EVT']): string | null {
  const m = /^\s*([A-Za-z]{3})-?0*(\d{1,9})\s*$/.exec(text);
  if (!m) return null;
  const prefix = m[1].toUpperCase();
  if (!prefixes.includes(prefix)) return null;
  return `${prefix}-${m[2].padStart(6, '0')}`;
}

// Who reported it, for the service desk.
export function reporterName(e: Pick<EventReport, 'reporter' | 'reporter_email' | 'channel' | 'system_report'>): string {
  if (e.reporter) return e.reporter;
  if (e.reporter_email) return e.reporter_email;
  if (e.system_report || e.channel === 'detection') return 'custos (automatic detection)';
  return 'anonymous';
}
