import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';

/**
 * Labelled form controls used by every step: the visible label above, the accessible name from
 * `ariaLabel` (defaults to the label), and `onChange` handing back the plain value.
 */
interface FieldProps {
  label: ReactNode;
  ariaLabel?: string;
  grow?: boolean;
}

export function TextField({
  label,
  ariaLabel,
  grow,
  onChange,
  ...input
}: FieldProps & Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange'> & { onChange(value: string): void }) {
  return (
    <label className={grow ? 'field grow' : 'field'}>
      <span>{label}</span>
      <input
        aria-label={ariaLabel ?? (typeof label === 'string' ? label : undefined)}
        onChange={(e) => onChange(e.target.value)}
        {...input}
      />
    </label>
  );
}

export function SelectField({
  label,
  ariaLabel,
  grow,
  onChange,
  children,
  ...select
}: FieldProps &
  Omit<SelectHTMLAttributes<HTMLSelectElement>, 'onChange'> & { onChange(value: string): void }) {
  return (
    <label className={grow ? 'field grow' : 'field'}>
      <span>{label}</span>
      <select
        aria-label={ariaLabel ?? (typeof label === 'string' ? label : undefined)}
        onChange={(e) => onChange(e.target.value)}
        {...select}
      >
        {children}
      </select>
    </label>
  );
}

/** A labelled checkbox handing back the boolean. */
export function CheckField(props: {
  label: ReactNode;
  checked: boolean;
  onChange(checked: boolean): void;
  disabled?: boolean;
}) {
  return (
    <label className="check">
      <input
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
        disabled={props.disabled}
      />{' '}
      {props.label}
    </label>
  );
}

export interface AccountValues {
  registrar: string;
  user: string;
  password: string;
}

/** A SIP account: registrar, user, password (never autofilled, never echoed back). */
export function AccountFields(props: {
  values: AccountValues;
  onChange(v: AccountValues): void;
  disabled?: boolean;
  labelPrefix?: string;
}) {
  const { values: v, disabled } = props;
  const p = props.labelPrefix ? `${props.labelPrefix} ` : '';
  const set = (k: keyof AccountValues) => (x: string) => props.onChange({ ...v, [k]: x });
  return (
    <>
      <TextField
        label={`${p}registrar`}
        value={v.registrar}
        onChange={set('registrar')}
        disabled={disabled}
      />
      <TextField
        label={`${p}user`}
        value={v.user}
        onChange={set('user')}
        disabled={disabled}
        autoComplete="off"
      />
      <TextField
        label={`${p}password`}
        type="password"
        value={v.password}
        onChange={set('password')}
        disabled={disabled}
        autoComplete="off"
      />
    </>
  );
}
