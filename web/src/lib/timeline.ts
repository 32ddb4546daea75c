import type { TimelineItem } from '../api/types';
import { humanize, STATUS_LABELS } from './priority';

// A recorded change, in words: "moved it from In progress to Pending".
export function describeChange(item: TimelineItem): string {
  const d = (item.detail ?? {}) as Record<string, unknown>;
  const before = (d.before ?? {}) as Record<string, unknown>;
  const after = (d.after ?? {}) as Record<string, unknown>;
  switch (item.action) {
    case 'incident.create':
      return `reported this incident${d.source ? ` (${String(d.source)})` : ''}`;
    case 'incident.transition': {
      const from = (d.from ?? before.status) as string | undefined;
      const to = (d.to ?? after.status) as string | undefined;
      if (to) return `moved it ${from ? `from ${STATUS_LABELS[from as keyof typeof STATUS_LABELS] ?? from} ` : ''}to ${STATUS_LABELS[to as keyof typeof STATUS_LABELS] ?? to}`;
      return 'changed its status';
    }
    case 'incident.update': {
      const keys = Object.keys(after).filter((k) => k !== 'version' && JSON.stringify(after[k]) !== JSON.stringify(before[k]));
      if (keys.length === 0) return 'updated it';
      return `changed ${keys
        .map((k) => (after[k] === null || typeof after[k] === 'object' ? humanize(k).toLowerCase() : `${humanize(k).toLowerCase()} to ${String(after[k])}`))
        .join(', ')}`;
    }
    default: {
      const title = typeof after.title === 'string' ? ` “${after.title}”` : typeof d.title === 'string' ? ` “${d.title}”` : '';
      const words = ACTION_WORDS[item.action ?? ''];
      if (words) return words.replace('{title}', title);
      return humanize((item.action ?? 'change').replace(/^incident\./, '').replace(/[._]/g, ' ')).toLowerCase();
    }
  }
}

const ACTION_WORDS: Record<string, string> = {
  'incident.task_create': 'added the task{title}',
  'incident.task_update': 'updated the task{title}',
  'incident.attachment_add': 'attached a file',
  'incident.improvement_action_add': 'added the improvement action{title}',
  'incident.improvement_action_update': 'updated an improvement action',
  'incident.lessons_record': 'recorded the lessons learned',
  'incident.lessons_update': 'updated the lessons learned',
  'incident.lessons_waive': 'waived the lessons-learned review',
  'incident.link_problem': 'linked it to a problem',
  'incident.unlink_problem': 'unlinked it from its problem',
  'incident.major_declare': 'declared it a major incident',
  'incident.major_manager_change': 'changed the major-incident manager',
  'incident.escalate': 'escalated it',
  'incident.escalation': 'escalated it',
  'incident.worklog_add': 'added to the worklog',
  'incident.regulatory_flag': 'flagged it for reporting to an authority',
  'incident.regulatory_withdraw': 'withdrew a regulatory flag',
  'incident.regulatory_awareness_change': 'moved the moment of awareness of a regulatory clock',
  'incident.regulatory_submission': 'recorded what was sent to an authority',
  'incident.regulatory_reminder': 'reminded of a regulatory deadline',
  'incident.regulatory_overdue': 'marked a regulatory deadline overdue',
};

