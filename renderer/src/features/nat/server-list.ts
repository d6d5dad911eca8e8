/** The user's editable STUN server list, kept in localStorage (falls back to the built-in list). */
const KEY = 'natscope.stunServers';

export function loadServerList(fallback: string[]): string[] {
  try {
    const raw = localStorage.getItem(KEY);
    const list = raw ? (JSON.parse(raw) as unknown) : null;
    if (Array.isArray(list) && list.every((s) => typeof s === 'string') && list.length > 0) return list;
  } catch {
    // Corrupt or unavailable storage: use the built-in list.
  }
  return fallback;
}

export function saveServerList(list: string[]): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(list));
  } catch {
    // Storage may be disabled; the list then lasts for this session only.
  }
}

/** One server per line or comma; blank entries dropped. */
export function parseServerText(text: string): string[] {
  return text
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
