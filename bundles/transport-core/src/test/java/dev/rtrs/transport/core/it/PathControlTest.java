package dev.rtrs.transport.core.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.errno.Errno;
import dev.rtrs.test.support.Await;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.TransportException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The operator's path commands on real sessions over the TCP provider, as the kernel's rtrs-client sysfs has them:
 * add_path, remove_path, a path's disconnect and reconnect, max_reconnect_attempts.
 */
@Timeout(90)
class PathControlTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private Fixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = new Fixture(
                true,
                Fixture.QUEUE_DEPTH,
                false,
                InetAddress.getByName("127.0.0.1"),
                InetAddress.getByName("127.0.0.2"));
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void addedPathConnectsAndCarriesIo() throws Exception {
        ClientSession s = fixture.open("add", "127.0.0.1");
        PathInfo added = s.addPath(PathAddress.parse("127.0.0.2", fixture.port()));
        assertEquals(PathState.CONNECTED, added.state());
        assertEquals(2, s.paths().size());
        ioWorks(s);

        TransportException twice =
                assertThrows(TransportException.class, () -> s.addPath(PathAddress.parse("127.0.0.2", fixture.port())));
        assertEquals(Errno.EEXIST, twice.errno());
        assertEquals(2, s.paths().size());
    }

    @Test
    void pathThatCannotConnectIsNotAdded() throws Exception {
        ClientSession s = fixture.open("add-refused", "127.0.0.1");
        // nothing listens on 127.0.0.3: the connection is refused at once
        TransportException e =
                assertThrows(TransportException.class, () -> s.addPath(PathAddress.parse("127.0.0.3", fixture.port())));
        assertTrue(e.errno() != 0, e::getMessage);
        assertEquals(1, s.paths().size(), () -> "paths: " + s.paths());
        ioWorks(s);
    }

    @Test
    void disconnectedPathStaysClosedUntilReconnected() throws Exception {
        ClientSession s = fixture.open("disconnect", "127.0.0.1", "127.0.0.2");
        UUID first = s.paths().get(0).uuid();
        s.disconnectPath(first);
        assertEquals(PathState.CLOSED, path(s, first).state());
        ioWorks(s);
        // well past the reconnect delay: a disconnected path does not come back by itself
        Thread.sleep(600);
        assertEquals(PathState.CLOSED, path(s, first).state());

        TransportException again = assertThrows(TransportException.class, () -> s.disconnectPath(first));
        assertEquals(Errno.EALREADY, again.errno());

        s.reconnectPath(first);
        assertEquals(PathState.CONNECTED, path(s, first).state());
        ioWorks(s);
    }

    @Test
    void reconnectOfConnectedPathConnectsItAgain() throws Exception {
        ClientSession s = fixture.open("reconnect", "127.0.0.1", "127.0.0.2");
        UUID second = s.paths().get(1).uuid();
        s.reconnectPath(second);
        assertEquals(PathState.CONNECTED, path(s, second).state());
        assertEquals(1, path(s, second).statistics().reconnectsSuccessful());
        ioWorks(s);
    }

    @Test
    void removeRefusesTheLastPathAndUnknownOnes() throws Exception {
        ClientSession s = fixture.open("remove", "127.0.0.1", "127.0.0.2");
        UUID first = s.paths().get(0).uuid();
        s.removePath(first);
        assertEquals(1, s.paths().size());
        assertEquals("127.0.0.2", s.paths().get(0).destination().getAddress().getHostAddress());
        ioWorks(s);

        UUID last = s.paths().get(0).uuid();
        TransportException lastPath = assertThrows(TransportException.class, () -> s.removePath(last));
        assertEquals(Errno.EBUSY, lastPath.errno());
        TransportException unknown = assertThrows(TransportException.class, () -> s.removePath(UUID.randomUUID()));
        assertEquals(Errno.ENOENT, unknown.errno());
        assertEquals(1, s.paths().size());
        assertEquals(PathState.CONNECTED, s.paths().get(0).state());
    }

    @Test
    void maxReconnectAttemptsIsCheckedAndApplied() throws Exception {
        ClientSession s = fixture.open("attempts", "127.0.0.1");
        assertEquals(-1, s.maxReconnectAttempts());
        for (int bad : new int[] {-2, 10_000}) {
            TransportException e = assertThrows(TransportException.class, () -> s.setMaxReconnectAttempts(bad));
            assertEquals(Errno.EINVAL, e.errno());
        }
        assertEquals(-1, s.maxReconnectAttempts());

        s.setMaxReconnectAttempts(0);
        assertEquals(0, s.maxReconnectAttempts());
        // the server goes: with no attempt allowed, the path gives up after its first failed one
        fixture.server.close();
        Await.until(() -> s.paths().get(0).state() == PathState.CLOSED, WAIT, () -> "path not given up: " + s.paths());
    }

    private static PathInfo path(ClientSession s, UUID uuid) {
        List<PathInfo> paths = s.paths();
        return paths.stream()
                .filter(p -> p.uuid().equals(uuid))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no path " + uuid + " in " + paths));
    }

    /** A write and its read-back, over whichever path the policy picks. */
    private static void ioWorks(ClientSession s) throws Exception {
        for (int i = 0; i < 8; i++) {
            ByteBuffer out = ByteBuffer.allocate(4096);
            out.putInt(0, 0x5EED0000 + i);
            assertEquals(0, Fixture.io(s, Direction.WRITE, i * 4096L, out));
            ByteBuffer in = ByteBuffer.allocate(4096);
            assertEquals(0, Fixture.io(s, Direction.READ, i * 4096L, in));
            assertEquals(0x5EED0000 + i, in.getInt(0));
        }
    }
}
