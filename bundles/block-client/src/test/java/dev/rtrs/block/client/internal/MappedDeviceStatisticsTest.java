package dev.rtrs.block.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.DeviceStatistics;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.block.protocol.RnbdOpenRsp;
import dev.rtrs.errno.Errno;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.IoCallback;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.PathStatistics;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.SessionState;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A mapped device over a session whose IOs the test completes: what the device's statistics count. */
class MappedDeviceStatisticsTest {

    private final FakeSession session = new FakeSession();
    private final SessionHandle handle = new SessionHandle(null, "s1");
    private final MappedDevice device = new MappedDevice("d1", "vol1", AccessMode.RW, handle, 30_000);

    MappedDeviceStatisticsTest() {
        handle.attach(session);
        device.opened(new RnbdOpenRsp(3, 2048, 0, 0, 0, 0, 0, 512, 512, 128, 0, 0, 0));
    }

    private static long sum(List<Long> counts) {
        return counts.stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void eachIoIsCountedOnceWhenItCompletesWithItsLatency() throws Exception {
        CompletableFuture<Integer> read = new CompletableFuture<>();
        device.read(0, ByteBuffer.allocate(4096), read::complete);
        assertEquals(1, session.submitted.size());
        assertEquals(0, sum(device.statistics().latencyCounts()), "not counted before it completes");
        Thread.sleep(3);
        session.complete(0, 0);
        assertEquals(0, read.get(5, TimeUnit.SECONDS));

        CompletableFuture<Integer> write = new CompletableFuture<>();
        device.write(0, ByteBuffer.allocate(512), 0, write::complete);
        session.complete(1, Errno.EIO);
        assertEquals(Errno.EIO, write.get(5, TimeUnit.SECONDS));

        CompletableFuture<Integer> flush = new CompletableFuture<>();
        device.flush(flush::complete);
        session.complete(2, 0);

        DeviceStatistics s = device.statistics();
        assertEquals(1, s.reads());
        assertEquals(1, s.writes());
        assertEquals(1, s.others());
        assertEquals(1, s.errors());
        assertEquals(3, sum(s.latencyCounts()));
        assertTrue(s.latencySumNanos() >= 3_000_000, "the read waited 3 ms: " + s.latencySumNanos());
        // the read waited 3 ms: it lies beyond the 2.5 ms bound (the others may too, on a busy machine)
        assertTrue(
                sum(s.latencyCounts().subList(5, s.latencyCounts().size())) >= 1,
                "the 3 ms read is counted beyond 2.5 ms: " + s.latencyCounts());
    }

    @Test
    void anIoRetriedAfterALostLinkCountsOnceFromItsFirstSubmission() throws Exception {
        CompletableFuture<Integer> read = new CompletableFuture<>();
        device.read(0, ByteBuffer.allocate(4096), read::complete);
        session.complete(0, Errno.ECONNABORTED);
        assertEquals(2, session.submitted.size(), "sent again");
        assertEquals(0, sum(device.statistics().latencyCounts()));
        session.complete(1, 0);
        assertEquals(0, read.get(5, TimeUnit.SECONDS));
        DeviceStatistics s = device.statistics();
        assertEquals(1, s.reads());
        assertEquals(0, s.errors());
    }

    @Test
    void ioFailedByTheSessionsCloseIsAnError() throws Exception {
        handle.suspend();
        CompletableFuture<Integer> write = new CompletableFuture<>();
        device.write(0, ByteBuffer.allocate(512), 0, write::complete);
        assertEquals(0, session.submitted.size(), "waits for the link");
        handle.close();
        assertEquals(Errno.ESHUTDOWN, write.get(5, TimeUnit.SECONDS));
        DeviceStatistics s = device.statistics();
        assertEquals(1, s.writes());
        assertEquals(1, s.errors());
    }

    @Test
    void aRequestRefusedBeforeItIsSentIsNoRnbdIo() throws Exception {
        CompletableFuture<Integer> read = new CompletableFuture<>();
        device.read(1, ByteBuffer.allocate(512), read::complete);
        assertEquals(Errno.EINVAL, read.get(5, TimeUnit.SECONDS));
        assertEquals(0, device.statistics().reads());
    }

    /** A connected session with one path that keeps the callbacks of what is submitted. */
    private static final class FakeSession implements ClientSession {

        final List<IoCallback> submitted = new ArrayList<>();
        private final PathInfo path = new PathInfo(
                UUID.randomUUID(),
                new InetSocketAddress("127.0.0.1", 40000),
                new InetSocketAddress("127.0.0.1", 1234),
                PathState.CONNECTED,
                1,
                new PathStatistics(0, 0, 0, 0, 0, 0, 0, 0),
                -1);

        void complete(int index, int errno) {
            submitted.get(index).onComplete(errno);
        }

        @Override
        public String name() {
            return "s1";
        }

        @Override
        public UUID uuid() {
            return path.uuid();
        }

        @Override
        public SessionState state() {
            return SessionState.CONNECTED;
        }

        @Override
        public int queueDepth() {
            return 8;
        }

        @Override
        public int maxIoSize() {
            return 65536;
        }

        @Override
        public int maxHeaderSize() {
            return 64;
        }

        @Override
        public String policy() {
            return "min-inflight";
        }

        @Override
        public void setPolicy(String name) {}

        @Override
        public Permit acquirePermit() {
            return tryAcquirePermit();
        }

        @Override
        public Permit acquirePermit(long timeout, TimeUnit unit) {
            return tryAcquirePermit();
        }

        @Override
        public Permit tryAcquirePermit() {
            return new Permit() {
                @Override
                public int id() {
                    return 0;
                }

                @Override
                public ByteBuffer userArea() {
                    return ByteBuffer.allocate(0);
                }
            };
        }

        @Override
        public void releasePermit(Permit permit) {}

        @Override
        public void submit(
                Permit permit, Direction direction, ByteBuffer userHeader, ByteBuffer[] data, IoCallback callback) {
            submitted.add(callback);
        }

        @Override
        public List<PathInfo> paths() {
            return List.of(path);
        }

        @Override
        public void resetStatistics() {}

        @Override
        public void close() {}
    }
}
