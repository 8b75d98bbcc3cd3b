import { Field, Input, makeStyles, mergeClasses, Spinner, Text, tokens } from '@fluentui/react-components';
import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import type { GroupSearchResponse } from '../../../../shared/api/contract';
import { ApiRequestError } from '../../api/errors';
import { useEnv } from '../../app/env';
import { ErrorBar, useAdminT } from './common';

type Group = GroupSearchResponse['items'][number];

/** Wait for a pause in typing before asking Graph: every request counts against the tenant's directory limits. */
const SEARCH_DEBOUNCE_MS = 300;
const MIN_CHARS = 2;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const useStyles = makeStyles({
  list: {
    listStyle: 'none',
    margin: 0,
    padding: '4px 0',
    maxWidth: '480px',
    maxHeight: '240px',
    overflowY: 'auto',
    border: `1px solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
    boxShadow: tokens.shadow8,
  },
  option: {
    padding: '6px 12px',
    cursor: 'pointer',
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
  },
  active: { backgroundColor: tokens.colorNeutralBackground1Selected },
  muted: { padding: '6px 12px', color: tokens.colorNeutralForeground3 },
  sub: { display: 'block', color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
});

/** One choice of the list: a group found, or the id the admin pasted. */
type Choice = { id: string; name: string | null; label: string; sub: string | null };

/**
 * The synced group, chosen by searching the directory by name (words starting with what was typed, as Graph's
 * group search matches). A pasted group id is still taken, for directories the app may not search.
 */
export function GroupPicker(props: {
  groupId: string | null;
  groupName: string | null | undefined;
  onChange(group: { id: string; name: string | null }): void;
}) {
  const at = useAdminT();
  const { api } = useEnv();
  const [typed, setTyped] = useState('');
  const [found, setFound] = useState<Group[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [active, setActive] = useState(0);
  const listId = useId();
  const st = useStyles();
  const text = typed.trim();
  const pastedId = GUID.test(text) ? text : null;

  useEffect(() => {
    if (text.length < MIN_CHARS || pastedId) {
      setFound(null);
      setError(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      setSearching(true);
      api.admin.searchGroups(text).then(
        (r) => {
          if (!current) return;
          setFound(r.items);
          setError(null);
          setSearching(false);
        },
        (e: unknown) => {
          if (!current) return;
          setFound(null);
          setError(e);
          setSearching(false);
        },
      );
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, text, pastedId]);

  const chosen = props.groupId
    ? props.groupName
      ? at('selGroupChosen', { name: props.groupName })
      : at('selGroupChosenId', { id: props.groupId })
    : at('selGroupNone');
  const permissionMissing = error instanceof ApiRequestError && error.code === 'graph_permission_missing';

  const choices: Choice[] = pastedId
    ? [{ id: pastedId, name: null, label: at('selGroupUseId', { id: pastedId }), sub: null }]
    : (found ?? []).map((g) => ({ id: g.id, name: g.displayName, label: g.displayName, sub: g.description }));
  const open = pastedId !== null || found !== null;
  const choose = (c: Choice) => {
    props.onChange({ id: c.id, name: c.name });
    setTyped('');
    setActive(0);
  };
  // The ARIA combobox pattern: focus stays in the text box, arrows move the active option, Enter takes it.
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (!open || choices.length === 0) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (a + step + choices.length) % choices.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const c = choices[Math.min(active, choices.length - 1)];
      if (c) choose(c);
    } else if (e.key === 'Escape') {
      setTyped('');
    }
  };

  return (
    <>
      <Field label={at('selGroupSearch')} hint={at('selGroupSearchHint')} required>
        <Input
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={
            open && choices.length ? `${listId}-${Math.min(active, choices.length - 1)}` : undefined
          }
          value={typed}
          placeholder={at('selGroupSearchPlaceholder')}
          onChange={(_e, d) => {
            setTyped(d.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
        />
      </Field>
      {open ? (
        <ul id={listId} role="listbox" aria-label={at('selGroupSearch')} className={st.list}>
          {choices.map((c, i) => (
            <li
              key={c.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={mergeClasses(st.option, i === active && st.active)}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => choose(c)}
            >
              {c.label}
              {c.sub ? <span className={st.sub}>{c.sub}</span> : null}
            </li>
          ))}
          {choices.length === 0 ? (
            <li role="option" aria-disabled="true" aria-selected={false} className={st.muted}>
              {at('selGroupNoMatch', { text })}
            </li>
          ) : null}
        </ul>
      ) : null}
      {searching ? <Spinner size="tiny" label={at('selGroupSearching')} /> : null}
      {permissionMissing ? <Text role="alert">{at('selGroupPermission')}</Text> : <ErrorBar error={error} />}
      <Text role="status" data-testid="selected-group">
        {chosen}
      </Text>
    </>
  );
}
