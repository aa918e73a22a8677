// The studio's settings form and the monthly report (with its CSV download), on the console.
import { t } from './i18n.js';
import { h, byId, replaceChildren } from './dom.js';
import { announce, announceError } from './messages.js';
import { onSubmit } from './forms.js';
import { monthOf } from './format.js';

const REPORT_ROWS = ['passes_sold', 'credits_sold', 'revenue', 'credits_adjusted', 'credits_booked',
  'credits_used', 'credits_expired', 'credits_outstanding', 'lessons_held', 'attendances', 'no_shows'];

/** Fills the settings form from a settings answer. */
export function showSettings(settings) {
  const form = byId('settings-form');
  form.elements.studio_name.value = settings.studio_name;
  form.elements.window_hours.value = settings.window_hours;
  form.elements.validity_options.value = settings.validity_options.join(', ');
  form.elements.currency.value = settings.currency;
  form.elements.default_capacity.value = settings.default_capacity ?? '';
}

/** The changed fields only: a change is an event, so an untouched value is not sent. */
function changes(form, current) {
  const wanted = {
    studio_name: form.elements.studio_name.value.trim(),
    window_hours: Number(form.elements.window_hours.value),
    validity_options: form.elements.validity_options.value.split(/[\s,;]+/).filter(Boolean).map(Number),
    currency: form.elements.currency.value.trim().toUpperCase(),
    default_capacity: form.elements.default_capacity.value.trim() === '' ? null : Number(form.elements.default_capacity.value),
  };
  const body = {};
  for (const [name, value] of Object.entries(wanted)) {
    if (JSON.stringify(value) !== JSON.stringify(current[name])) body[name] = value;
  }
  return body;
}

/** ctx: {api, settings(), setSettings(s), onAuthError(err)}. */
export function setupSettings(ctx) {
  const message = byId('settings-message');
  onSubmit(byId('settings-form'), async (form) => {
    try {
      const saved = await ctx.api.saveSettings(changes(form, ctx.settings()));
      ctx.setSettings(saved);
      showSettings(saved);
      announce(message, t('settingsSaved'), 'ok');
    } catch (err) {
      if (!ctx.onAuthError(err)) announceError(message, err);
    }
  });
}

function reportTable(report) {
  return h('table', { class: 'report-table' },
    h('caption', {}, `${t('reportHeading')} · ${report.month}`),
    h('tbody', {}, REPORT_ROWS.map((name) => h('tr', {},
      h('th', { scope: 'row' }, t(`reportRows.${name}`)),
      h('td', {}, name === 'revenue' ? `${report.revenue.amount} ${report.revenue.currency}` : String(report[name]))))));
}

/** ctx: {api, onAuthError(err)}. */
export function setupReport(ctx) {
  const message = byId('report-message');
  const form = byId('report-form');
  form.elements.month.value = monthOf(new Date().toISOString());
  onSubmit(form, async () => {
    try {
      replaceChildren(byId('report'), reportTable(await ctx.api.report(form.elements.month.value)));
      announce(message, '', 'info');
    } catch (err) {
      if (!ctx.onAuthError(err)) announceError(message, err);
    }
  });
  byId('report-csv').addEventListener('click', async () => {
    try {
      const month = form.elements.month.value;
      const url = URL.createObjectURL(await ctx.api.reportCsv(month));
      const a = h('a', { href: url, download: `tangopass-report-${month}.csv`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (err) {
      if (!ctx.onAuthError(err)) announceError(message, err);
    }
  });
}
