import {
  Button,
  Input,
  makeStyles,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { DeleteRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { MappingTable, PbxToTeamsRule, TeamsToPbxRule } from '../../../../shared/api/contract';
import { useEnv } from '../../app/env';
import { ErrorBar, Heading, useAction, useAdminStyles, useAdminT, useLoad } from './common';

const AVAILABILITIES = [
  'Available',
  'AvailableIdle',
  'Away',
  'BeRightBack',
  'Busy',
  'BusyIdle',
  'DoNotDisturb',
  'Offline',
  'PresenceUnknown',
];
/** The pairs Graph's setPresence accepts for an app session (PRODUCT.md): what a PBX state may be shown as. */
const SETTABLE = [
  'Available/Available',
  'Busy/InACall',
  'Busy/InAConferenceCall',
  'Away/Away',
  'DoNotDisturb/Presenting',
];

/** Fluent inputs default to a 250 px minimum; in a four-column table they must shrink to their cell. */
const useCellStyles = makeStyles({ fit: { minWidth: 0, width: '100%' } });

export function MappingSection() {
  const cell = useCellStyles();
  const at = useAdminT();
  const { api } = useEnv();
  const s = useAdminStyles();
  const mapping = useLoad(() => api.admin.mapping());
  const save = useAction();
  const [saved, setSaved] = useState(false);
  const m = mapping.data;
  const update = (next: MappingTable) => {
    setSaved(false);
    mapping.setData(next);
  };
  const setT2P = (i: number, patch: Partial<TeamsToPbxRule>) =>
    m && update({ ...m, teamsToPbx: m.teamsToPbx.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const setP2T = (i: number, patch: Partial<PbxToTeamsRule>) =>
    m && update({ ...m, pbxToTeams: m.pbxToTeams.map((r, j) => (j === i ? { ...r, ...patch } : r)) });

  return (
    <section className={s.section} aria-label={at('secMapping')}>
      <Heading>{at('secMapping')}</Heading>
      <ErrorBar error={mapping.error ?? save.error} />
      {m ? (
        <>
          <h3>{at('mapTeamsToPbx')}</h3>
          <Table size="small" aria-label={at('mapTeamsToPbx')}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{at('mapAvailability')}</TableHeaderCell>
                <TableHeaderCell>{at('mapActivity')}</TableHeaderCell>
                <TableHeaderCell>{at('mapDnd')}</TableHeaderCell>
                <TableHeaderCell>{at('mapStatusText')}</TableHeaderCell>
                <TableHeaderCell>{at('remove')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {m.teamsToPbx.map((r, i) => (
                <TableRow key={i}>
                  <TableCell>
                    <Select
                      className={cell.fit}
                      aria-label={`${at('mapAvailability')} ${i + 1}`}
                      value={r.availability}
                      onChange={(_e, d) => setT2P(i, { availability: d.value })}
                    >
                      {AVAILABILITIES.map((a) => (
                        <option key={a}>{a}</option>
                      ))}
                    </Select>
                  </TableCell>
                  <TableCell>
                    <Input
                      className={cell.fit}
                      aria-label={`${at('mapActivity')} ${i + 1}`}
                      value={r.activity}
                      onChange={(_e, d) => setT2P(i, { activity: d.value })}
                    />
                  </TableCell>
                  <TableCell>
                    <Select
                      className={cell.fit}
                      aria-label={`${at('mapDnd')} ${i + 1}`}
                      value={r.dnd}
                      onChange={(_e, d) => setT2P(i, { dnd: d.value as TeamsToPbxRule['dnd'] })}
                    >
                      <option value="on">on</option>
                      <option value="off">off</option>
                      <option value="unchanged">unchanged</option>
                    </Select>
                  </TableCell>
                  <TableCell>
                    <Input
                      className={cell.fit}
                      aria-label={`${at('mapStatusText')} ${i + 1}`}
                      value={r.statusText ?? ''}
                      onChange={(_e, d) => setT2P(i, { statusText: d.value || null })}
                    />
                  </TableCell>
                  <TableCell>
                    <Button
                      aria-label={`${at('remove')} ${i + 1}`}
                      icon={<DeleteRegular />}
                      appearance="subtle"
                      onClick={() => update({ ...m, teamsToPbx: m.teamsToPbx.filter((_r, j) => j !== i) })}
                    />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <div>
            <Button
              onClick={() =>
                update({
                  ...m,
                  teamsToPbx: [
                    ...m.teamsToPbx,
                    { availability: 'Busy', activity: '*', dnd: 'on', statusText: null },
                  ],
                })
              }
            >
              {at('addRule')}
            </Button>
          </div>
          <h3>{at('mapPbxToTeams')}</h3>
          <Table size="small" aria-label={at('mapPbxToTeams')}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{at('mapPbxState')}</TableHeaderCell>
                <TableHeaderCell>{at('mapTeamsState')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {m.pbxToTeams.map((r, i) => (
                <TableRow key={r.pbxState}>
                  <TableCell>{r.pbxState}</TableCell>
                  <TableCell>
                    <Select
                      className={cell.fit}
                      aria-label={`${at('mapTeamsState')} ${r.pbxState}`}
                      value={r.teams ? `${r.teams.availability}/${r.teams.activity}` : ''}
                      onChange={(_e, d) => {
                        const [availability, activity] = d.value.split('/');
                        setP2T(i, { teams: d.value ? { availability, activity } : null });
                      }}
                    >
                      <option value="">{at('mapNotShown')}</option>
                      {SETTABLE.map((p) => (
                        <option key={p} value={p}>
                          {p}
                        </option>
                      ))}
                    </Select>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <div className={s.row}>
            <Button
              appearance="primary"
              disabled={save.busy}
              onClick={() =>
                void save.run(async () => (mapping.setData(await api.admin.saveMapping(m)), setSaved(true)))
              }
            >
              {at('save')}
            </Button>
            {saved ? <Text role="status">{at('saved')}</Text> : null}
          </div>
        </>
      ) : null}
    </section>
  );
}
