import { ApiRequestError } from '../../tab/src/api/errors';
import { userMessage } from '../../tab/src/api/user-message';
import { translator } from '../../tab/src/i18n';

/**
 * Every refusal the server names by a code the tab knows: a German user reads German words for it, never the
 * server's English sentence, and an English user reads the tab's own words too (not "This was not accepted: …").
 */
const REFUSALS: [status: number, code: string, serverSays: string][] = [
  [
    409,
    'tenant_not_linked',
    'Switchboard is not linked to your tenant yet: an admin has to complete the tenant link first.',
  ],
  [409, 'cloudlink_not_linked', 'Your company has not linked its phone system yet.'],
  [400, 'invalid_cursor', 'This page of your call history is no longer valid.'],
  [
    409,
    'override_conflict',
    'This Teams user is already mapped by hand to PBX user p-42; remove that mapping first.',
  ],
  [
    403,
    'app_registration_managed',
    'Your Switchboard provider manages the app registration; only the CloudLink link can be changed here.',
  ],
  [502, 'graph_permission_missing', 'Microsoft Graph refused to list groups: the app registration needs ...'],
  [502, 'graph_failed', 'Microsoft Graph could not search groups (503 ServiceUnavailable); try again.'],
  [
    409,
    'monitor_exists',
    'svc@contoso.example is already a presence monitor here; to change its password, use ...',
  ],
  [
    400,
    'group_not_found',
    'Your directory has no group 0f0f… (deleted, or the id is mistyped); choose the group again.',
  ],
  [413, 'payload_too_large', 'The request body is larger than 65536 bytes.'],
  [404, 'no_phone_user', 'Your Teams account is not matched to a phone user yet.'],
  [202, 'sync_queued', 'Handed to the process that runs the sync.'],
];

describe('what a refusal with a known code says', () => {
  const de = translator('de');
  const en = translator('en');

  it.each(REFUSALS)(
    '%i %s: German words of the tab, not the server’s English',
    (status, code, serverSays) => {
      const error = new ApiRequestError(status, code, serverSays);
      const german = userMessage(de, error);
      expect(german).not.toContain(serverSays);
      expect(german).not.toMatch(/nicht angenommen|Problem auf seiner Seite|existiert nicht mehr/);
      expect(german).not.toBe(userMessage(en, error));
      expect(userMessage(en, error)).not.toMatch(/^This was not accepted|has a problem on its side/);
    },
  );

  it('a refusal with a code the tab does not know still shows the server’s sentence for what was entered', () => {
    const error = new ApiRequestError(400, 'bad_request', 'Invalid request body: password is required');
    expect(userMessage(de, error)).toBe(
      'Das wurde nicht angenommen: Invalid request body: password is required',
    );
  });
});
