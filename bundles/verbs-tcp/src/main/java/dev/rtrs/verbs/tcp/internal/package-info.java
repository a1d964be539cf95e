/**
 * The tcp provider's implementation. How it is built:
 *
 * <ul>
 * <li><b>Threads.</b> {@link dev.rtrs.verbs.tcp.internal.IoThread}s own the sockets: every read, write,
 * acknowledgement and completion of a queue pair happens on the IO thread of its send completion queue, so a
 * queue pair's state needs no lock. Posting threads copy work requests into preallocated slots under a short
 * lock and hand the queue pair to its IO thread once. Connection-manager events run on separate event threads,
 * queued per id; no provider lock is held while a handler runs.</li>
 * <li><b>Wire.</b> One TCP connection per queue pair: a {@link dev.rtrs.verbs.tcp.internal.QueuePairSocket},
 * whose handshake and disconnect {@link dev.rtrs.verbs.tcp.internal.CmExchange} runs. Every frame starts with a
 * 32-byte header ({@link dev.rtrs.verbs.tcp.internal.FrameCodec}) validated field by field. Requests carry PSNs;
 * the responder acknowledges cumulatively on every frame it sends, with a bare ACK only when nothing else goes
 * out.</li>
 * <li><b>Zero copy.</b> Writes gather headers and views of registered memory into one writev; reads scatter a
 * payload straight into its destination views together with the next header.</li>
 * <li><b>Fences.</b> A region's state word holds its key variant, the valid bit and the count of device accesses
 * in flight; an invalidation clears the valid bit and completes when the count reaches zero
 * ({@link dev.rtrs.verbs.tcp.internal.TcpMemoryRegion}).</li>
 * <li><b>Receiver not ready.</b> The responder drains the request and NAKs it; the requester resends from that
 * request on (go-back-N) after a back-off, until its RNR timeout.</li>
 * </ul>
 */
package dev.rtrs.verbs.tcp.internal;
