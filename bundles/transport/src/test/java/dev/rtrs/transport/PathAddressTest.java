package dev.rtrs.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class PathAddressTest {

    @Test
    void parsesKernelStylePaths() {
        PathAddress p = PathAddress.parse("ip:127.0.0.2,ip:127.0.0.1", 1234);
        assertEquals("127.0.0.2", p.source().getAddress().getHostAddress());
        assertEquals(1234, p.destination().getPort());
        assertEquals("127.0.0.2,127.0.0.1:1234", p.toString());
        PathAddress v6 = PathAddress.parse("[::1]:4000", 1234);
        assertNull(v6.source());
        assertEquals(4000, v6.destination().getPort());
        assertEquals("[0:0:0:0:0:0:0:1]:4000", v6.toString());
        assertEquals(1234, PathAddress.parse("::1", 1234).destination().getPort());
        assertEquals(99, PathAddress.parse("10.0.0.1:99", 1234).destination().getPort());
    }

    @Test
    void refusesBadAddressesWithAClearMessage() {
        assertThrows(IllegalArgumentException.class, () -> PathAddress.parse("", 1));
        assertThrows(IllegalArgumentException.class, () -> PathAddress.parse("a,b,c", 1));
        assertThrows(IllegalArgumentException.class, () -> PathAddress.parse("example.org", 1));
        assertThrows(IllegalArgumentException.class, () -> PathAddress.parse("10.0.0.1:70000", 1));
        assertThrows(IllegalArgumentException.class, () -> PathAddress.parse("[::1", 1));
        assertThrows(IllegalArgumentException.class, () -> PathAddress.parse("127.0.0.300", 1), "no name lookup");
        assertThrows(IllegalArgumentException.class, () -> PathAddress.parse("1.2.3", 1));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PathAddress.parse("1.2.3.4:x", 1));
        assertEquals("bad port 'x' in '1.2.3.4:x'", e.getMessage());
    }

    @Test
    void sessionOptionsValidate() {
        PathAddress p = PathAddress.parse("127.0.0.1", 1234);
        ClientSessionOptions o = ClientSessionOptions.builder("s").paths(p).build();
        assertEquals(Runtime.getRuntime().availableProcessors() + 1, o.connectionsPerPath());
        assertEquals("min-inflight", o.policy());
        assertThrows(
                IllegalArgumentException.class,
                () -> ClientSessionOptions.builder("").paths(p).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> ClientSessionOptions.builder("x".repeat(256)).paths(p).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> ClientSessionOptions.builder("s").build());
        assertThrows(
                IllegalArgumentException.class,
                () -> ClientSessionOptions.builder("s")
                        .paths(Collections.nCopies(129, p))
                        .build());
        assertThrows(
                IllegalArgumentException.class,
                () -> ClientSessionOptions.builder("s")
                        .paths(p)
                        .connectTimeout(Duration.ZERO)
                        .build());
        assertThrows(
                IllegalArgumentException.class,
                () -> ClientSessionOptions.builder("s")
                        .paths(List.of(p))
                        .maxReconnectAttempts(-2)
                        .build());
    }

    @Test
    void serverOptionsValidate() throws Exception {
        ServerOptions d = ServerOptions.defaults(InetAddress.getLoopbackAddress());
        assertEquals(1234, d.port());
        assertEquals(512, d.queueDepth());
        assertEquals(128 * 1024, d.chunkSize());
        assertEquals(true, d.alwaysInvalidate());
        assertThrows(IllegalArgumentException.class, () -> d.withChunkSize(4096));
        assertThrows(IllegalArgumentException.class, () -> d.withChunkSize(12288));
        assertThrows(IllegalArgumentException.class, () -> d.withQueueDepth(0));
        assertThrows(IllegalArgumentException.class, () -> d.withQueueDepth(65536));
        assertThrows(IllegalArgumentException.class, () -> d.withPort(70000));
    }
}
