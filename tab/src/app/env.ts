import { createContext, useContext } from 'react';
import type { ClientType, MeResponse } from '../../../shared/api/contract';
import type { ApiClient } from '../api/client';
import type { Language } from '../i18n';

/** What every page needs: the API, who the user is and where (locale, time zone, client type). */
export interface AppEnv {
  api: ApiClient;
  me: MeResponse;
  reloadMe(): Promise<void>;
  locale: string;
  language: Language;
  timeZone: string;
  clientType: ClientType;
}

export const AppEnvContext = createContext<AppEnv | null>(null);

export function useEnv(): AppEnv {
  const env = useContext(AppEnvContext);
  if (!env) throw new Error('useEnv outside AppEnvContext');
  return env;
}
