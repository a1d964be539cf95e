package dev.rtrs.block.client.internal;

import dev.rtrs.block.protocol.IoOperation;
import dev.rtrs.block.protocol.RnbdCodec;
import dev.rtrs.block.protocol.RnbdIo;
import dev.rtrs.transport.Direction;
import java.nio.ByteBuffer;

/**
 * One RTRS request of the RNBD client: an RNBD message as user header, data buffers, and what to do with the
 * errno. Retried after a reconnect while its deadline allows.
 */
final class IoTask {

    /** What a task's completion reports to. */
    @FunctionalInterface
    interface Done {
        void complete(int errno);
    }

    final Direction direction;
    final ByteBuffer header;
    final ByteBuffer[] data;
    final Done done;
    /** System.nanoTime() of the submission by the device, from which its latency is measured. */
    final long submitted;
    /** Retries stop at this System.nanoTime(). */
    final long deadline;
    /**
     * For device IO: the device, whose current id is encoded into the header at each (re)submission, since a
     * remap after a server restart gives it a new id. {@code null} for control messages.
     */
    final MappedDevice device;

    final RnbdIo io;
    /** Control messages go first and are sent while the link is being re-established. */
    final boolean control;

    IoTask(Direction direction, ByteBuffer header, ByteBuffer[] data, Done done, long deadline) {
        this(direction, header, data, done, System.nanoTime(), deadline, null, null, true);
    }

    IoTask(ByteBuffer[] data, Done done, long submitted, long deadline, MappedDevice device, RnbdIo io) {
        this(
                io.operation() == IoOperation.READ ? Direction.READ : Direction.WRITE,
                ByteBuffer.allocate(RnbdIo.SIZE),
                data,
                done,
                submitted,
                deadline,
                device,
                io,
                false);
    }

    private IoTask(
            Direction direction,
            ByteBuffer header,
            ByteBuffer[] data,
            Done done,
            long submitted,
            long deadline,
            MappedDevice device,
            RnbdIo io,
            boolean control) {
        this.direction = direction;
        this.header = header;
        this.data = data;
        this.done = done;
        this.submitted = submitted;
        this.deadline = deadline;
        this.device = device;
        this.io = io;
        this.control = control;
    }

    /**
     * Completes the task once, whichever way it ends (answered, failed, expired, shut down): the one place where a
     * device's IO is counted and its latency taken.
     */
    void complete(int errno) {
        if (device != null) {
            device.completed(io.operation(), errno, System.nanoTime() - submitted);
        }
        done.complete(errno);
    }

    /** The user header to send now. */
    ByteBuffer header() {
        if (io != null) {
            RnbdIo now = new RnbdIo(device.deviceId(), io.sector(), io.operation(), io.flags(), io.length(), io.prio());
            RnbdCodec.encode(now, header, 0);
        }
        return header.duplicate().position(0).limit(io != null ? RnbdIo.SIZE : header.limit());
    }
}
