import { IMPACTS, URGENCIES, type Category, type Impact, type Urgency } from '../api/types';
import { IMPACT_HELP, URGENCY_HELP } from '../lib/priority';
import { Field } from './ui';

export interface Classification {
  category: string;
  subcategory: string; // '' for none
  impact: Impact;
  urgency: Urgency;
}

// Category and subcategory from the active taxonomy, impact and urgency with their meaning in
// words: how an incident is logged and how triage classifies a report. A new category clears
// the subcategory, which belonged to the old one.
export function ClassificationFields({
  value,
  onChange,
  categories,
  errors,
}: {
  value: Classification;
  onChange: (next: Classification) => void;
  categories: Category[];
  errors: Record<string, string>;
}) {
  const top = categories.filter((c) => !c.parent && c.active);
  const subs = categories.filter((c) => c.parent === value.category && c.active);
  return (
    <div className="grid-2">
      <Field label="Category" required error={errors.category}>
        {(p) => (
          <select {...p} value={value.category} onChange={(e) => onChange({ ...value, category: e.target.value, subcategory: '' })}>
            <option value="">Choose…</option>
            {top.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Subcategory" error={errors.subcategory}>
        {(p) => (
          <select {...p} value={value.subcategory} onChange={(e) => onChange({ ...value, subcategory: e.target.value })} disabled={subs.length === 0}>
            <option value="">—</option>
            {subs.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Impact" error={errors.impact} hint={IMPACT_HELP[value.impact]}>
        {(p) => (
          <select {...p} value={value.impact} onChange={(e) => onChange({ ...value, impact: e.target.value as Impact })}>
            {IMPACTS.map((i) => (
              <option key={i} value={i}>
                {IMPACT_HELP[i].split(' — ')[0]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Urgency" error={errors.urgency} hint={URGENCY_HELP[value.urgency]}>
        {(p) => (
          <select {...p} value={value.urgency} onChange={(e) => onChange({ ...value, urgency: e.target.value as Urgency })}>
            {URGENCIES.map((u) => (
              <option key={u} value={u}>
                {URGENCY_HELP[u].split(' — ')[0]}
              </option>
            ))}
          </select>
        )}
      </Field>
    </div>
  );
}
