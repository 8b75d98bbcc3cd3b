import { harness, type Harness } from './sync-harness';

/**
 * CloudLink subjects carry URL-encoded principal ids. A subject with a malformed % escape, posted with the right
 * webhook key, made decodeURIComponent throw inside the event handler: an unhandled URIError in the process.
 */
describe('sync service: CloudLink subjects', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('refuses an event whose subject has a malformed % escape, and nothing throws', async () => {
    h = await harness();
    await h.service.start();
    await h.settle();
    const rejections: unknown[] = [];
    const record = (e: unknown) => void rejections.push(e);
    process.on('unhandledRejection', record);
    try {
      const answer = await h.service.receiveCloudLinkPost({
        key: h.service.cloudLinkWebhookKey,
        body: {
          topic: 'platform-api-presence',
          method: 'PUT',
          subject: '/presentities/%E0%A4%A',
          content: {},
        },
      });
      await h.settle();
      await new Promise((r) => setImmediate(r));
      expect(answer.status).toBe(400);
      expect(answer.problem).toMatch(/malformed subject/);
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});
