import {
  teamsDarkTheme,
  teamsHighContrastTheme,
  teamsLightTheme,
  type Theme,
} from '@fluentui/react-components';
import type { TeamsTheme } from '../teams/host';

/** Fluent's Teams themes, so the tab looks like the Teams around it in default, dark and high-contrast mode. */
export function fluentTheme(theme: TeamsTheme): Theme {
  return theme === 'dark' ? teamsDarkTheme : theme === 'contrast' ? teamsHighContrastTheme : teamsLightTheme;
}
