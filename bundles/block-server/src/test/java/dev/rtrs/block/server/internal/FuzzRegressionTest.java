package dev.rtrs.block.server.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.test.support.ResourceSnapshot;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Cases the fuzzer found, each on its own with its exact bytes. */
@Timeout(180)
class FuzzRegressionTest {

    /** A CON_REQ with cid_num 0 (case CON_REQ of the fuzzer): refused, and what it cost comes back. */
    private static final byte[] REFUSED_CON_REQ = HexFormat.of()
            .parseHex("0000bd1b0002000000000000" + "11".repeat(16) + "22".repeat(16) + "01" + "00".repeat(11));

    @TempDir
    Path dir;

    @Test
    void refusedConnectRequestsLeaveNothingBehind() throws Exception {
        try (RnbdFixture f = new RnbdFixture(dir);
                TcpVerbsProvider hostileProvider = new TcpVerbsProvider()) {
            ServerEndpoint server = f.transport.listen(
                    ServerOptions.defaults(InetAddress.getByName("127.0.0.1")).withPort(0), f.core, f.core);
            ResourceSnapshot before = ResourceSnapshot.take();
            try (HostileRtrs hostile =
                    new HostileRtrs(hostileProvider, server.localAddresses().get(0), 1, 8192)) {
                for (int i = 0; i < 2000; i++) {
                    try (HostileLink link = hostile.link()) {
                        assertTrue(link.connect(REFUSED_CON_REQ, 5000) == CmEventType.REJECTED);
                    }
                }
            }
            ResourceSnapshot after = ResourceSnapshot.take();
            for (int i = 0; i < 40 && !after.within(before, 16L << 20, 8); i++) {
                System.gc();
                Thread.sleep(250);
                after = ResourceSnapshot.take();
            }
            assertTrue(
                    after.within(before, 16L << 20, 8),
                    "before " + before + ", after " + after + "\n" + ResourceSnapshot.histogram("dev.rtrs", 15));
        }
    }
}
