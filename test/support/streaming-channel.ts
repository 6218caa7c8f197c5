import type { ConversationRef, MessageRef, OutboundMessage, ProgressStep, ReplyStream, StreamContext } from '../../src/ports';
import { RecordingChannel } from './recording-channel';

/** One streamed reply as the channel saw it. */
export interface RecordedStream {
  conversation: ConversationRef;
  recipient: string;
  appends: string[];
  steps: ProgressStep[];
  final?: OutboundMessage;
  cancelled?: boolean;
}

/** A recording channel that also shows replies as they are written. */
export class StreamingChannel extends RecordingChannel {
  readonly streams: RecordedStream[] = [];

  async openStream(conversation: ConversationRef, context: StreamContext): Promise<ReplyStream> {
    const record: RecordedStream = { conversation, recipient: context.recipient.userId, appends: [], steps: [] };
    this.streams.push(record);
    return {
      append: async (text) => void record.appends.push(text),
      progress: async (step) => void record.steps.push({ ...step }),
      finish: async (final): Promise<MessageRef> => {
        record.final = final;
        return { platform: this.platform, channelId: conversation.channelId, messageId: `stream-${this.streams.length}` };
      },
      cancel: async () => void (record.cancelled = true),
    };
  }
}
