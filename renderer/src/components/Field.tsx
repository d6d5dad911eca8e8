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
