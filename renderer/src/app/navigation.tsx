import { createContext, useContext } from 'react';

/** Which step is on screen, and a way to show another one (the verdict page links to details). */
export interface Navigation {
  current: string;
  go(stepId: string): void;
}

export const NavigationContext = createContext<Navigation>({ current: '', go: () => {} });

export function useNavigation(): Navigation {
  return useContext(NavigationContext);
}
