import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Input,
  makeStyles,
  Select,
  Spinner,
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
import { DEFAULT_MAPPING, MAX_PBX_STATUS_TEXT, PBX_STATES } from '../../../../shared/domain/mapping';
import {
  APP_SESSION_PAIRS,
  TEAMS_ACTIVITIES,
  TEAMS_AVAILABILITIES,
} from '../../../../shared/domain/presence';
import { useEnv } from '../../app/env';
import { activityLabel, availabilityLabel, presenceLabel } from '../../i18n/presence';
import { ErrorBar, Heading, useAdminStyles, useAdminT, useLoad } from './common';
import { useTableStyles } from './table-styles';

/** A rule with any activity matches every activity of its availability; the domain reads '*' as that. */
const ANY_ACTIVITY = '*';
const DND_CHOICES: TeamsToPbxRule['dnd'][] = ['on', 'off', 'unchanged'];

/** Fluent inputs default to a 250 px minimum; in a table they must shrink to their cell. */
const useCellStyles = makeStyles({ fit: { minWidth: 0, width: '100%' } });

/**
 * Every phone state gets a row, in a fixed order. A table saved before the server required that (or edited outside
 * the page) could lack one; the page then shows the default for it, so the admin can always reach a table the
 * server accepts instead of facing an empty list with nothing to add.
 */
function withEveryPhoneState(table: MappingTable): { table: MappingTable; filledIn: boolean } {
  const rows = PBX_STATES.map(
    (state) =>
      table.pbxToTeams.find((r) => r.pbxState === state) ??
      DEFAULT_MAPPING.pbxToTeams.find((r) => r.pbxState === state) ?? { pbxState: state, teams: null },
  );
  return {
    table: { ...table, pbxToTeams: rows },
    filledIn: PBX_STATES.some((state) => !table.pbxToTeams.some((r) => r.pbxState === state)),
  };
}

/**
 * The mapping editor offers only what the domain accepts: Graph's documented availabilities and activities for
 * Teams → phone, and the pairs an app session may set for phone → Teams. A typed activity with a typo would have
 * saved a rule that never matches.
 */
export function MappingSection() {
  const cell = useCellStyles();
  const at = useAdminT();
  const { api, language } = useEnv();
  const s = useAdminStyles();
  const ts = useTableStyles();
  const mapping = useLoad(() => api.admin.mapping());
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [confirmReset, setConfirmReset] = useState(false);
  const shown = mapping.data ? withEveryPhoneState(mapping.data) : null;
  const m = shown?.table;
  const update = (next: MappingTable) => {
    setSaved(false);
    mapping.setData(next);
  };
  const setT2P = (i: number, patch: Partial<TeamsToPbxRule>) =>
    m && update({ ...m, teamsToPbx: m.teamsToPbx.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const setP2T = (i: number, patch: Partial<PbxToTeamsRule>) =>
    m && update({ ...m, pbxToTeams: m.pbxToTeams.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const save = async (table: MappingTable) => {
    setSaving(true);
    setSaveError(null);
    try {
      mapping.setData(await api.admin.saveMapping(table));
      setSaved(true);
    } catch (e) {
      setSaveError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className={s.section} aria-label={at('secMapping')}>
      <Heading>{at('secMapping')}</Heading>
      <ErrorBar error={mapping.error} retry={mapping.reload} />
      {m ? (
        <>
          <h3>{at('mapTeamsToPbx')}</h3>
          <div className={ts.wrap}>
            <Table size="small" aria-label={at('mapTeamsToPbx')} className={ts.table}>
              <TableHeader className={ts.head}>
                <TableRow>
                  <TableHeaderCell>{at('mapAvailability')}</TableHeaderCell>
                  <TableHeaderCell>{at('mapActivity')}</TableHeaderCell>
                  <TableHeaderCell>{at('mapDnd')}</TableHeaderCell>
                  <TableHeaderCell>{at('mapStatusText')}</TableHeaderCell>
                  <TableHeaderCell>{at('remove')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody className={ts.body}>
                {m.teamsToPbx.map((r, i) => (
                  <TableRow key={i} className={ts.row} data-testid="mapping-rule">
                    <TableCell className={ts.cell} data-label={at('mapAvailability')}>
                      <Select
                        className={cell.fit}
                        aria-label={`${at('mapAvailability')} ${i + 1}`}
                        value={r.availability}
                        onChange={(_e, d) => setT2P(i, { availability: d.value })}
                      >
                        {TEAMS_AVAILABILITIES.map((a) => (
                          <option key={a} value={a}>
                            {availabilityLabel(language, a)}
                          </option>
                        ))}
                      </Select>
                    </TableCell>
                    <TableCell className={ts.cell} data-label={at('mapActivity')}>
                      <Select
                        className={cell.fit}
                        aria-label={`${at('mapActivity')} ${i + 1}`}
                        value={r.activity}
                        onChange={(_e, d) => setT2P(i, { activity: d.value })}
                      >
                        <option value={ANY_ACTIVITY}>{at('mapAnyActivity')}</option>
                        {TEAMS_ACTIVITIES.map((a) => (
                          <option key={a} value={a}>
                            {activityLabel(language, a)}
                          </option>
                        ))}
                      </Select>
                    </TableCell>
                    <TableCell className={ts.cell} data-label={at('mapDnd')}>
                      <Select
                        className={cell.fit}
                        aria-label={`${at('mapDnd')} ${i + 1}`}
                        value={r.dnd}
                        onChange={(_e, d) => setT2P(i, { dnd: d.value as TeamsToPbxRule['dnd'] })}
                      >
                        {DND_CHOICES.map((d) => (
                          <option key={d} value={d}>
                            {at(`dnd_${d}`)}
                          </option>
                        ))}
                      </Select>
                    </TableCell>
                    <TableCell className={ts.cell} data-label={at('mapStatusText')}>
                      <Input
                        className={cell.fit}
                        aria-label={`${at('mapStatusText')} ${i + 1}`}
                        value={r.statusText ?? ''}
                        maxLength={MAX_PBX_STATUS_TEXT}
                        onChange={(_e, d) => setT2P(i, { statusText: d.value || null })}
                      />
                    </TableCell>
                    <TableCell className={ts.cell} data-label={at('remove')}>
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
          </div>
          <div>
            <Button
              onClick={() =>
                update({
                  ...m,
                  teamsToPbx: [
                    ...m.teamsToPbx,
                    { availability: 'Busy', activity: ANY_ACTIVITY, dnd: 'on', statusText: null },
                  ],
                })
              }
            >
              {at('addRule')}
            </Button>
          </div>
          <h3>{at('mapPbxToTeams')}</h3>
          {shown?.filledIn ? <Text>{at('mapFilledIn')}</Text> : null}
          <div className={ts.wrap}>
            <Table size="small" aria-label={at('mapPbxToTeams')} className={ts.table}>
              <TableHeader className={ts.head}>
                <TableRow>
                  <TableHeaderCell>{at('mapPbxState')}</TableHeaderCell>
                  <TableHeaderCell>{at('mapTeamsState')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody className={ts.body}>
                {m.pbxToTeams.map((r, i) => (
                  <TableRow key={r.pbxState} className={ts.row}>
                    <TableCell className={ts.cell} data-label={at('mapPbxState')}>
                      {at(`pbxState_${r.pbxState}`)}
                    </TableCell>
                    <TableCell className={ts.cell} data-label={at('mapTeamsState')}>
                      <Select
                        className={cell.fit}
                        aria-label={`${at('mapTeamsState')} ${at(`pbxState_${r.pbxState}`)}`}
                        value={r.teams ? `${r.teams.availability}/${r.teams.activity}` : ''}
                        onChange={(_e, d) => {
                          const pair = APP_SESSION_PAIRS.find(([a, act]) => `${a}/${act}` === d.value);
                          setP2T(i, { teams: pair ? { availability: pair[0], activity: pair[1] } : null });
                        }}
                      >
                        <option value="">{at('mapNotShown')}</option>
                        {APP_SESSION_PAIRS.map(([availability, activity]) => (
                          <option key={`${availability}/${activity}`} value={`${availability}/${activity}`}>
                            {presenceLabel(language, { availability, activity })}
                          </option>
                        ))}
                      </Select>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
          <ErrorBar error={saveError} />
          <div className={s.row}>
            <Button
              appearance="primary"
              disabled={saving}
              icon={saving ? <Spinner size="extra-tiny" /> : undefined}
              onClick={() => void save(m)}
            >
              {at('save')}
            </Button>
            <Button disabled={saving} onClick={() => setConfirmReset(true)}>
              {at('mapReset')}
            </Button>
            <Text role="status">{saving ? at('working') : saved ? at('saved') : ''}</Text>
          </div>
          <Dialog open={confirmReset} onOpenChange={(_e, d) => !d.open && setConfirmReset(false)}>
            <DialogSurface>
              <DialogBody>
                <DialogTitle>{at('mapResetTitle')}</DialogTitle>
                <DialogContent>{at('mapResetBody')}</DialogContent>
                <DialogActions>
                  <Button onClick={() => setConfirmReset(false)}>{at('cancel')}</Button>
                  <Button
                    appearance="primary"
                    onClick={() => {
                      setConfirmReset(false);
                      void save(DEFAULT_MAPPING);
                    }}
                  >
                    {at('mapResetConfirm')}
                  </Button>
                </DialogActions>
              </DialogBody>
            </DialogSurface>
          </Dialog>
        </>
      ) : null}
    </section>
  );
}
