import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor, ApprovalCard, PlatformDriver, ThreadHandle } from './platform-driver';

/** Alice's duplicate charge in the demo helpdesk: ch_3006 repeats ch_3005, $29.00. */
const DUPLICATE = 'ch_3006';
/** The offline model's answer to "Why was I charged twice?" for Alice (offers the refund). */
const EXPLAINS_DUPLICATE = /ch_3006[\s\S]*duplicate/i;
/** The confirmation once the refund ran (markdown emphasis differs per platform). */
const REFUND_DONE = /Done: refund\W+REF-\d+\W+of\W+\$29\.00\W+for charge\W+ch_3006\W+has been issued/;
const HUMAN_COMING = /person from our support team will reply in this thread/;

/**
 * The behaviour every chat platform adapter must have, whatever the platform:
 * a thread is a session, risky actions are approved exactly once by the
 * right people, and a handed-off thread is left to humans until handed back.
 * Runs the real engine (demo helpdesk, offline model) behind each adapter.
 */
export function describePlatformContract(name: string, makeDriver: () => PlatformDriver): void {
  describe(`${name}: platform contract`, () => {
    let d: PlatformDriver;
    beforeEach(async () => {
      d = makeDriver();
      await d.start();
    });
    afterEach(async () => {
      await d.stop();
    });

    /** Alice asks about the double charge in a new thread and gets it explained. */
    async function askAboutDoubleCharge(): Promise<ThreadHandle> {
      const thread = await d.mention('member', 'Why was I charged twice?');
      await d.waitForBotMessage(thread, (m) => EXPLAINS_DUPLICATE.test(m.text));
      return thread;
    }

    /** Alice asks for the refund in the same thread; a card waits for staff. */
    async function pendingRefund(): Promise<{ thread: ThreadHandle; card: ApprovalCard }> {
      const thread = await askAboutDoubleCharge();
      await d.reply(thread, 'member', 'I want a refund');
      const cards = d.approvalCards(thread);
      expect(cards).toHaveLength(1);
      const card = cards[0]!;
      expect(card.hasButtons).toBe(true);
      expect(card.text).toContain(`charge ${DUPLICATE}`);
      expect(card.text).not.toMatch(/\b(approved|denied)\b/i);
      return { thread, card };
    }

    const cardNow = (thread: ThreadHandle, card: ApprovalCard) => d.approvalCards(thread).find((c) => c.id === card.id)!;
    const notesOf = (actors: Actor[]) => actors.flatMap((a) => d.privateNotes(a));

    describe('a thread is a session', () => {
      it('answers a mention in its thread and continues it without a mention, using what was said', async () => {
        const thread = await askAboutDoubleCharge();
        expect(d.botMessages(thread)).toHaveLength(1);
        // "Yes please" means something only in this conversation: the refund the bot just offered.
        await d.reply(thread, 'member', 'yes please');
        const [card] = d.approvalCards(thread);
        expect(card?.text).toContain(`Refund $29.00 for charge ${DUPLICATE}`);
      });

      it('starts a separate session for each top-level mention', async () => {
        const first = await askAboutDoubleCharge();
        const second = await d.mention('member', 'yes please');
        expect(second.id).not.toBe(first.id);
        const answer = await d.waitForBotMessage(second, () => true);
        // Without the first thread's offer, "yes please" asks nothing; and the first thread's state does not leak in.
        expect(answer.text).not.toMatch(/ch_300\d|refund \$|still waiting for a decision/i);
        expect(d.approvalCards(second)).toEqual([]);
        expect(d.botMessages(first)).toHaveLength(1);
      });

      it('stays out of threads it is not part of', async () => {
        const thread = await d.openUnrelatedThread('otherMember', 'Anyone tried the new dashboard?');
        await d.reply(thread, 'member', 'Why was I charged twice?');
        await d.idle();
        expect(d.botMessages(thread)).toEqual([]);
      });
    });

    describe('approvals happen exactly once, by the right people', () => {
      it('refuses the requester and a plain member privately and leaves the card as it was', async () => {
        const { thread, card } = await pendingRefund();
        const posted = d.botMessages(thread).length;

        const own = await d.click(card, 'approve', 'member');
        expect(own.privateNotes).toEqual([expect.stringMatching(/can't approve your own request/)]);
        const other = await d.click(card, 'approve', 'otherMember');
        expect(other.privateNotes).toEqual([expect.stringMatching(/only a staff member or admin can decide this/i)]);

        await d.idle();
        expect(cardNow(thread, card)).toEqual(card);
        expect(d.botMessages(thread)).toHaveLength(posted);
        expect(await d.refunds(DUPLICATE)).toEqual([]);
      });

      it('refunds once when two staff race and one double-clicks; the card is updated once and one answer is posted', async () => {
        const { thread, card } = await pendingRefund();
        const notesBefore = notesOf(['staff', 'admin']).length;

        await Promise.all([d.click(card, 'approve', 'staff'), d.click(card, 'approve', 'staff'), d.click(card, 'approve', 'admin')]);
        await d.idle();

        expect(await d.refunds(DUPLICATE)).toEqual([{ chargeId: DUPLICATE, amountUsd: 29 }]);
        const after = cardNow(thread, card);
        expect(after.hasButtons).toBe(false);
        expect(after.text).toMatch(/\bapproved\b/i);
        expect([d.users.staff.id, d.users.admin.id].some((id) => after.text.includes(`<@${id}>`))).toBe(true);
        expect(after.edits - card.edits).toBe(1);
        expect(d.botMessages(thread).filter((m) => REFUND_DONE.test(m.text))).toHaveLength(1);
        // Each losing click was told privately.
        const notes = notesOf(['staff', 'admin']).slice(notesBefore);
        expect(notes).toHaveLength(2);
        for (const note of notes) expect(note).toMatch(/already approved/i);
      });

      it('a staff denial shows on the card, the bot says nothing was done, and nothing is refunded', async () => {
        const { thread, card } = await pendingRefund();
        const posted = d.botMessages(thread).length;

        const denied = await d.click(card, 'deny', 'staff');
        expect(denied.privateNotes).toEqual([]);

        const after = cardNow(thread, card);
        expect(after.hasButtons).toBe(false);
        expect(after.text).toMatch(/\bdenied\b/i);
        expect(after.text).toContain(`<@${d.users.staff.id}>`);
        expect(after.edits - card.edits).toBe(1);
        await d.waitForBotMessage(thread, (m, i) => i >= posted && /denied the request[\s\S]*nothing was changed/i.test(m.text));
        expect(d.botMessages(thread).some((m) => REFUND_DONE.test(m.text))).toBe(false);
        expect(await d.refunds(DUPLICATE)).toEqual([]);
      });
    });

    describe('hand-off to a human', () => {
      it('notifies on-call, stays silent until staff hand it back, then answers again', async () => {
        const thread = await askAboutDoubleCharge();
        expect(d.oncallNotices()).toEqual([]);

        await d.reply(thread, 'member', 'I want to talk to a human');
        await d.waitForBotMessage(thread, (m) => HUMAN_COMING.test(m.text));
        const notices = d.oncallNotices();
        expect(notices).toHaveLength(1);
        const notice = notices[0]!;
        expect(notice.text).toContain(`<@${d.users.member.id}>`);
        expect(notice.actions).toContain('claim');
        expect(notice.text).not.toMatch(/claimed by|closed/i);

        // Silence while humans have the thread, even for questions the bot could answer.
        const quiet = d.botMessages(thread).length;
        await d.reply(thread, 'member', 'hello? is anyone there?');
        await d.reply(thread, 'member', 'Why was I charged twice?');
        await d.idle();
        expect(d.botMessages(thread)).toHaveLength(quiet);

        const refused = await d.claim(notice, 'otherMember');
        expect(refused.privateNotes).toEqual([expect.stringMatching(/only support staff can claim/i)]);
        expect(d.oncallNotices()[0]).toEqual(notice);

        const taken = await d.claim(notice, 'staff');
        expect(taken.privateNotes.join('\n')).not.toMatch(/only support staff|already claimed/i);
        const claimed = d.oncallNotices()[0]!;
        expect(claimed.text).toContain(`Claimed by <@${d.users.staff.id}>`);
        expect(claimed.actions).not.toContain('claim');
        expect(claimed.edits - notice.edits).toBe(1);
        await d.waitForBotMessage(thread, (m, i) => i >= quiet && /picked this up/.test(m.text));

        const stillQuiet = d.botMessages(thread).length;
        await d.reply(thread, 'member', 'Why was I charged twice?');
        await d.idle();
        expect(d.botMessages(thread)).toHaveLength(stillQuiet);

        const notAllowed = await d.handBack(thread, 'member');
        expect(notAllowed.privateNotes.join('\n')).toMatch(/only support staff can hand a conversation back/i);
        expect(d.botMessages(thread)).toHaveLength(stillQuiet);

        const back = await d.handBack(thread, 'staff');
        expect(back.privateNotes.join('\n')).toMatch(/handed back to the bot/i);
        await d.waitForBotMessage(thread, (m, i) => i >= stillQuiet && /handed this conversation back to me/.test(m.text));
        const closed = d.oncallNotices();
        expect(closed).toHaveLength(1);
        expect(closed[0]!.text).toMatch(/closed/i);
        expect(closed[0]!.actions).toEqual([]);

        const answered = d.botMessages(thread).length;
        await d.reply(thread, 'member', 'Why was I charged twice?');
        await d.waitForBotMessage(thread, (m, i) => i >= answered && EXPLAINS_DUPLICATE.test(m.text));
      });
    });
  });
}
