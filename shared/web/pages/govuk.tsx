/**
 * GOV.UK Frontend components as hono/jsx functions: the same markup the Nunjucks macros produce, so
 * the package's CSS and (optional) JavaScript apply, and the accessibility work in them comes with it.
 */
import type { Child } from 'hono/jsx';

/** A field's problem, as the error summary and the field itself show it. */
export interface FieldError {
  /** The id of the input (or of the first input of a group) the summary links to. */
  field: string;
  message: string;
}

export type Errors = Record<string, string>;

export const errorsById = (errors: readonly FieldError[]): Errors =>
  Object.fromEntries(errors.map((e) => [e.field, e.message]));

const describedBy = (...ids: (string | false | undefined | null)[]) => ids.filter(Boolean).join(' ') || undefined;

export function ErrorSummary({
  errors,
  title = 'There is a problem',
}: {
  errors: readonly FieldError[];
  title?: string;
}) {
  if (errors.length === 0) return null;
  return (
    <div class="govuk-error-summary" data-module="govuk-error-summary">
      <div role="alert">
        <h2 class="govuk-error-summary__title">{title}</h2>
        <div class="govuk-error-summary__body">
          <ul class="govuk-list govuk-error-summary__list">
            {errors.map((e) => (
              <li>
                <a href={`#${e.field}`}>{e.message}</a>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </div>
  );
}

function ErrorMessage({ id, message }: { id: string; message?: string | undefined }) {
  if (!message) return null;
  return (
    <p id={`${id}-error`} class="govuk-error-message">
      <span class="govuk-visually-hidden">Error:</span> {message}
    </p>
  );
}

/** A field's hint (id `{id}-hint`) and error message (id `{id}-error`), as each is given. */
function HintAndError({ id, hint, error }: { id: string; hint?: Child; error?: string | undefined }) {
  return (
    <>
      {hint ? (
        <div id={`${id}-hint`} class="govuk-hint">
          {hint}
        </div>
      ) : null}
      <ErrorMessage id={id} message={error} />
    </>
  );
}

type LabelSize = 's' | 'm' | 'l' | 'xl';

/** What a single labelled field is given: its id, label, hint and error. */
interface LabelledField {
  id: string;
  label: Child;
  labelSize?: LabelSize;
  labelIsHeading?: boolean;
  hint?: Child;
  error?: string | undefined;
}

/** The ids a labelled field's control is described by: its hint and its error, when shown. */
const fieldDescribedBy = ({ id, hint, error }: Pick<LabelledField, 'id' | 'hint' | 'error'>) =>
  describedBy(hint ? `${id}-hint` : null, error ? `${id}-error` : null);

/** A labelled field's form group: label (as the page heading if asked), hint, error, then the control. */
function LabelledGroup(props: LabelledField & { children: Child }) {
  const { id } = props;
  const label = (
    <label class={`govuk-label${props.labelSize ? ` govuk-label--${props.labelSize}` : ''}`} for={id}>
      {props.label}
    </label>
  );
  return (
    <div class={`govuk-form-group${props.error ? ' govuk-form-group--error' : ''}`}>
      {props.labelIsHeading ? <h1 class="govuk-label-wrapper">{label}</h1> : label}
      <HintAndError id={id} hint={props.hint} error={props.error} />
      {props.children}
    </div>
  );
}

export function Input(
  props: LabelledField & {
    name?: string;
    value?: string | number | null | undefined;
    width?: '2' | '3' | '4' | '5' | '10' | '20' | 'one-half' | 'two-thirds' | 'full';
    inputmode?: 'numeric' | 'decimal' | 'text';
    type?: string;
    autocomplete?: string;
    spellcheck?: boolean;
    suffix?: string;
  },
) {
  const { id } = props;
  const width = props.width
    ? /^\d/.test(props.width)
      ? ` govuk-input--width-${props.width}`
      : ` govuk-!-width-${props.width}`
    : '';
  const input = (
    <input
      class={`govuk-input${width}${props.error ? ' govuk-input--error' : ''}`}
      id={id}
      name={props.name ?? id}
      type={props.type ?? 'text'}
      value={props.value === null || props.value === undefined ? '' : String(props.value)}
      aria-describedby={fieldDescribedBy(props)}
      inputmode={props.inputmode}
      autocomplete={props.autocomplete}
      spellcheck={props.spellcheck}
    />
  );
  return (
    <LabelledGroup {...props}>
      {props.suffix ? (
        <div class="govuk-input__wrapper">
          {input}
          <div class="govuk-input__suffix" aria-hidden="true">
            {props.suffix}
          </div>
        </div>
      ) : (
        input
      )}
    </LabelledGroup>
  );
}

/**
 * A file upload: the browser's own file input. GOV.UK Frontend's drop-zone enhancement is not used: it
 * turns the input into a button whose visible text ("Choose file") is not in its accessible name (the
 * label), which axe reports as a WCAG 2.5.3 failure (label-content-name-mismatch).
 */
export function FileUpload(props: LabelledField & { name?: string; multiple?: boolean; accept?: string }) {
  return (
    <LabelledGroup {...props}>
      <input
        class={`govuk-file-upload${props.error ? ' govuk-file-upload--error' : ''}`}
        id={props.id}
        name={props.name ?? props.id}
        type="file"
        multiple={props.multiple}
        accept={props.accept}
        aria-describedby={fieldDescribedBy(props)}
      />
    </LabelledGroup>
  );
}

export function Textarea(props: LabelledField & { name?: string; value?: string | null | undefined; rows?: number }) {
  return (
    <LabelledGroup {...props}>
      <textarea
        class={`govuk-textarea${props.error ? ' govuk-textarea--error' : ''}`}
        id={props.id}
        name={props.name ?? props.id}
        rows={props.rows ?? 5}
        aria-describedby={fieldDescribedBy(props)}
      >
        {props.value ?? ''}
      </textarea>
    </LabelledGroup>
  );
}

function Legend({
  legend,
  size,
  isHeading,
}: {
  legend: Child;
  size?: LabelSize | undefined;
  isHeading?: boolean | undefined;
}) {
  return (
    <legend class={`govuk-fieldset__legend${size ? ` govuk-fieldset__legend--${size}` : ''}`}>
      {isHeading ? <h1 class="govuk-fieldset__heading">{legend}</h1> : legend}
    </legend>
  );
}

export interface Choice {
  value: string;
  label: Child;
  hint?: Child;
  /** Shown under the choice, always (the follow-up question of that choice). */
  conditional?: Child;
}

/** Radios or checkboxes in a fieldset; the first choice's id is `idPrefix` (what an error links to). */
function ChoiceGroup(props: {
  kind: 'radios' | 'checkboxes';
  idPrefix: string;
  name: string;
  legend: Child;
  legendSize?: LabelSize;
  legendIsHeading?: boolean;
  hint?: Child;
  choices: readonly Choice[];
  selected: readonly string[];
  error?: string | undefined;
  small?: boolean;
  inline?: boolean;
}) {
  const { idPrefix, kind } = props;
  const modifiers = `${props.small ? ` govuk-${kind}--small` : ''}${props.inline ? ` govuk-${kind}--inline` : ''}`;
  return (
    <div class={`govuk-form-group${props.error ? ' govuk-form-group--error' : ''}`}>
      <fieldset
        class="govuk-fieldset"
        aria-describedby={fieldDescribedBy({ id: idPrefix, hint: props.hint, error: props.error })}
      >
        <Legend legend={props.legend} size={props.legendSize} isHeading={props.legendIsHeading} />
        <HintAndError id={idPrefix} hint={props.hint} error={props.error} />
        <div class={`govuk-${kind}${modifiers}`} data-module={`govuk-${kind}`}>
          {props.choices.map((choice, i) => {
            const id = i === 0 ? idPrefix : `${idPrefix}-${i + 1}`;
            const itemHint = choice.hint ? `${id}-item-hint` : null;
            return (
              <>
                <div class={`govuk-${kind}__item`}>
                  <input
                    class={`govuk-${kind}__input`}
                    id={id}
                    name={props.name}
                    type={kind === 'radios' ? 'radio' : 'checkbox'}
                    value={choice.value}
                    checked={props.selected.includes(choice.value)}
                    aria-describedby={itemHint ?? undefined}
                  />
                  <label class={`govuk-label govuk-${kind}__label`} for={id}>
                    {choice.label}
                  </label>
                  {choice.hint ? (
                    <div id={itemHint!} class={`govuk-hint govuk-${kind}__hint`}>
                      {choice.hint}
                    </div>
                  ) : null}
                </div>
                {choice.conditional ? (
                  // Always shown, as without JavaScript: GOV.UK Frontend's reveal sets aria-expanded on the radio, which ARIA does not allow there.
                  <div class={`govuk-${kind}__conditional`} id={`conditional-${id}`}>
                    {choice.conditional}
                  </div>
                ) : null}
              </>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

export function Radios(
  props: Omit<Parameters<typeof ChoiceGroup>[0], 'kind' | 'selected'> & { selected?: string | null | undefined },
) {
  return <ChoiceGroup {...props} kind="radios" selected={props.selected ? [props.selected] : []} />;
}

export function Checkboxes(props: Omit<Parameters<typeof ChoiceGroup>[0], 'kind'>) {
  return <ChoiceGroup {...props} kind="checkboxes" />;
}

/** Three fields (day, month, year) as GOV.UK asks for dates; `id` is the fieldset's, `${id}-day` the first field's. */
export function DateInput(props: {
  id: string;
  legend: Child;
  legendSize?: LabelSize;
  hint?: Child;
  value: { day?: string; month?: string; year?: string };
  error?: string | undefined;
}) {
  const { id } = props;
  const part = (name: 'day' | 'month' | 'year', label: string, width: '2' | '4') => (
    <div class="govuk-date-input__item">
      <div class="govuk-form-group">
        <label class="govuk-label govuk-date-input__label" for={`${id}-${name}`}>
          {label}
        </label>
        <input
          class={`govuk-input govuk-date-input__input govuk-input--width-${width}${props.error ? ' govuk-input--error' : ''}`}
          id={`${id}-${name}`}
          name={`${id}-${name}`}
          type="text"
          inputmode="numeric"
          value={props.value[name] ?? ''}
        />
      </div>
    </div>
  );
  return (
    <div class={`govuk-form-group${props.error ? ' govuk-form-group--error' : ''}`}>
      <fieldset class="govuk-fieldset" role="group" aria-describedby={fieldDescribedBy(props)}>
        <Legend legend={props.legend} size={props.legendSize} />
        <HintAndError id={id} hint={props.hint} error={props.error} />
        <div class="govuk-date-input" id={id}>
          {part('day', 'Day', '2')}
          {part('month', 'Month', '2')}
          {part('year', 'Year', '4')}
        </div>
      </fieldset>
    </div>
  );
}

export function Button(props: {
  children: Child;
  name?: string;
  value?: string;
  variant?: 'secondary' | 'warning' | 'inverse';
  href?: string;
  preventDoubleClick?: boolean;
}) {
  const cls = `govuk-button${props.variant ? ` govuk-button--${props.variant}` : ''}`;
  if (props.href) {
    return (
      <a href={props.href} role="button" draggable="false" class={cls} data-module="govuk-button">
        {props.children}
      </a>
    );
  }
  return (
    <button
      type="submit"
      class={cls}
      data-module="govuk-button"
      name={props.name}
      value={props.value}
      data-prevent-double-click={props.preventDoubleClick ? 'true' : undefined}
    >
      {props.children}
    </button>
  );
}

export const ButtonGroup = ({ children }: { children: Child }) => <div class="govuk-button-group">{children}</div>;

export interface SummaryRow {
  key: Child;
  value: Child;
  action?: { href: string; text: string; hidden: string };
}

export function SummaryList({ rows, noBorder }: { rows: readonly (SummaryRow | null | false)[]; noBorder?: boolean }) {
  const shown = rows.filter((r): r is SummaryRow => Boolean(r));
  const anyAction = shown.some((r) => r.action);
  return (
    <dl class={`govuk-summary-list${noBorder ? ' govuk-summary-list--no-border' : ''}`}>
      {shown.map((row) => (
        <div class={`govuk-summary-list__row${anyAction && !row.action ? ' govuk-summary-list__row--no-actions' : ''}`}>
          <dt class="govuk-summary-list__key">{row.key}</dt>
          <dd class="govuk-summary-list__value">{row.value}</dd>
          {row.action ? (
            <dd class="govuk-summary-list__actions">
              <a class="govuk-link" href={row.action.href}>
                {row.action.text}
                <span class="govuk-visually-hidden"> {row.action.hidden}</span>
              </a>
            </dd>
          ) : null}
        </div>
      ))}
    </dl>
  );
}

export interface Column {
  header: Child;
  numeric?: boolean;
}

/** A table whose first cell in each row is its row header. */
export function Table(props: {
  caption: Child;
  captionSize?: 's' | 'm' | 'l';
  columns: readonly Column[];
  rows: readonly Child[][];
  foot?: Child[];
  small?: boolean;
  firstCellIsHeader?: boolean;
}) {
  const firstIsHeader = props.firstCellIsHeader ?? true;
  const cell = (value: Child, i: number) => {
    const numeric = props.columns[i]?.numeric ? ' govuk-table__cell--numeric' : '';
    return i === 0 && firstIsHeader ? (
      <th scope="row" class="govuk-table__header">
        {value}
      </th>
    ) : (
      <td class={`govuk-table__cell${numeric}`}>{value}</td>
    );
  };
  return (
    <div class="app-table-wrap">
      <table class={`govuk-table${props.small ? ' govuk-table--small-text-until-tablet' : ''}`}>
        <caption class={`govuk-table__caption govuk-table__caption--${props.captionSize ?? 'm'}`}>
          {props.caption}
        </caption>
        <thead class="govuk-table__head">
          <tr class="govuk-table__row">
            {props.columns.map((c) => (
              <th scope="col" class={`govuk-table__header${c.numeric ? ' govuk-table__header--numeric' : ''}`}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody class="govuk-table__body">
          {props.rows.map((row) => (
            <tr class="govuk-table__row">{row.map(cell)}</tr>
          ))}
        </tbody>
        {props.foot ? (
          <tfoot>
            <tr class="govuk-table__row">{props.foot.map(cell)}</tr>
          </tfoot>
        ) : null}
      </table>
    </div>
  );
}

export type TagColour =
  'grey' | 'green' | 'turquoise' | 'blue' | 'light-blue' | 'purple' | 'pink' | 'red' | 'orange' | 'yellow';

export const Tag = ({ children, colour }: { children: Child; colour?: TagColour | undefined }) => (
  <strong class={`govuk-tag${colour ? ` govuk-tag--${colour}` : ''}`}>{children}</strong>
);

export function NotificationBanner({
  title,
  heading,
  children,
  success,
}: {
  title?: string;
  heading: Child;
  children?: Child;
  success?: boolean;
}) {
  return (
    <div
      class={`govuk-notification-banner${success ? ' govuk-notification-banner--success' : ''}`}
      role={success ? 'alert' : 'region'}
      aria-labelledby="govuk-notification-banner-title"
      data-module="govuk-notification-banner"
    >
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id="govuk-notification-banner-title">
          {title ?? (success ? 'Success' : 'Important')}
        </h2>
      </div>
      <div class="govuk-notification-banner__content">
        <p class="govuk-notification-banner__heading">{heading}</p>
        {children}
      </div>
    </div>
  );
}

export const WarningText = ({ children }: { children: Child }) => (
  <div class="govuk-warning-text">
    <span class="govuk-warning-text__icon" aria-hidden="true">
      !
    </span>
    <strong class="govuk-warning-text__text">
      <span class="govuk-visually-hidden">Warning</span> {children}
    </strong>
  </div>
);

export const InsetText = ({ children }: { children: Child }) => <div class="govuk-inset-text">{children}</div>;

export const Details = ({ summary, children, open }: { summary: Child; children: Child; open?: boolean }) => (
  <details class="govuk-details" open={open}>
    <summary class="govuk-details__summary">
      <span class="govuk-details__summary-text">{summary}</span>
    </summary>
    <div class="govuk-details__text">{children}</div>
  </details>
);

export const Panel = ({ title, children }: { title: Child; children?: Child }) => (
  <div class="govuk-panel govuk-panel--confirmation">
    <h1 class="govuk-panel__title">{title}</h1>
    {children ? <div class="govuk-panel__body">{children}</div> : null}
  </div>
);

export interface TaskItem {
  id: string;
  name: Child;
  href?: string | undefined;
  hint?: Child;
  /** A plain status ("Completed", "Cannot start yet") or a tag. */
  status: { text: string; tag?: TagColour | undefined; cannotStartYet?: boolean };
}

export function TaskList({ items }: { items: readonly TaskItem[] }) {
  return (
    <ul class="govuk-task-list">
      {items.map((item) => (
        <li class={`govuk-task-list__item${item.href ? ' govuk-task-list__item--with-link' : ''}`}>
          <div class="govuk-task-list__name-and-hint">
            {item.href ? (
              <a
                class="govuk-link govuk-task-list__link"
                href={item.href}
                aria-describedby={describedBy(item.hint ? `${item.id}-hint` : null, `${item.id}-status`)}
              >
                {item.name}
              </a>
            ) : (
              <div>{item.name}</div>
            )}
            {item.hint ? (
              <div id={`${item.id}-hint`} class="govuk-task-list__hint">
                {item.hint}
              </div>
            ) : null}
          </div>
          <div
            class={`govuk-task-list__status${item.status.cannotStartYet ? ' govuk-task-list__status--cannot-start-yet' : ''}`}
            id={`${item.id}-status`}
          >
            {item.status.tag ? <Tag colour={item.status.tag}>{item.status.text}</Tag> : item.status.text}
          </div>
        </li>
      ))}
    </ul>
  );
}

export const BackLink = ({ href, text = 'Back' }: { href: string; text?: string }) => (
  <a href={href} class="govuk-back-link">
    {text}
  </a>
);

export function Breadcrumbs({ items }: { items: readonly { href: string; text: string }[] }) {
  return (
    <nav class="govuk-breadcrumbs" aria-label="Breadcrumb">
      <ol class="govuk-breadcrumbs__list">
        {items.map((i) => (
          <li class="govuk-breadcrumbs__list-item">
            <a class="govuk-breadcrumbs__link" href={i.href}>
              {i.text}
            </a>
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** A hidden field. */
export const Hidden = ({ name, value }: { name: string; value: string | number | null | undefined }) => (
  <input type="hidden" name={name} value={value === null || value === undefined ? '' : String(value)} />
);
