import { adminGroupCheck } from '../../bot/services/admin-group';

/** ADMIN_GROUP_ID: members are read from Graph once per five minutes, not at every sign-in. */
describe('admin group check', () => {
  it('answers from one read of the members for five minutes, then reads them again', async () => {
    let members = ['alice'];
    let reads = 0;
    let now = 0;
    const graph = {
      listGroupMemberIds: (groupId: string) => {
        reads++;
        expect(groupId).toBe('group-1');
        return Promise.resolve(members);
      },
    };
    const isAdmin = adminGroupCheck(graph, 'group-1', () => now);
    expect(await isAdmin('t', 'alice')).toBe(true);
    expect(await isAdmin('t', 'bob')).toBe(false);
    members = ['bob'];
    now = 5 * 60_000;
    expect(await isAdmin('t', 'bob')).toBe(false); // still the first read
    expect(reads).toBe(1);
    now = 5 * 60_000 + 1;
    expect(await isAdmin('t', 'bob')).toBe(true);
    expect(await isAdmin('t', 'alice')).toBe(false);
    expect(reads).toBe(2);
  });
});
