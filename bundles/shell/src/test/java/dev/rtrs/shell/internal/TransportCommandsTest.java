package dev.rtrs.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.errno.Errno;
import dev.rtrs.test.support.Await;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.TransportException;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.json.JsonArray;
import javax.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rtrs:* commands against a real transport over the software RDMA provider: a server on 127.0.0.1 and 127.0.0.2,
 * and client sessions to it. Every wrong input is refused with a message naming it and changes nothing.
 */
@Timeout(120)
class TransportCommandsTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private TcpVerbsProvider provider;
    private RtrsTransport transport;
    private ServerEndpoint server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        provider = new TcpVerbsProvider();
        transport = new RtrsTransport().addProvider(provider);
        server = transport.listen(
                ServerOptions.defaults(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"))
                        .withPort(0)
                        .withQueueDepth(16)
                        .withChunkSize(64 * 1024),
                request -> request.respond(0),
                null);
        port = server.localAddresses().get(0).getPort();
    }

    @AfterEach
    void stop() {
        transport.close();
        provider.close();
    }

    private ClientSession open(String name, String... destinations) throws Exception {
        List<PathAddress> paths =
                Arrays.stream(destinations).map(d -> PathAddress.parse(d, port)).toList();
        ClientSession s = transport.open(
                ClientSessionOptions.builder(name)
                        .paths(paths)
                        .connectionsPerPath(2)
                        .reconnectDelay(Duration.ofMillis(200))
                        .connectTimeout(Duration.ofSeconds(10))
                        .build(),
                null);
        Await.until(
                () -> s.paths().stream().allMatch(p -> p.state() == PathState.CONNECTED),
                WAIT,
                () -> "not connected: " + s.paths());
        return s;
    }

    @Test
    void listsAndShowsAsValidJson() throws Exception {
        open("demo", "127.0.0.1", "127.0.0.2");
        ListSessionsCommand sessions = new ListSessionsCommand();
        sessions.admin = transport;
        sessions.json = true;
        JsonArray list = (JsonArray) Shell.json(sessions);
        assertEquals(1, list.size());
        JsonObject demo = list.getJsonObject(0);
        assertEquals("demo", demo.getString("name"));
        assertEquals(-1, demo.getInt("maxReconnectAttempts"));
        JsonArray paths = demo.getJsonArray("paths");
        assertEquals(2, paths.size());
        assertEquals("CONNECTED", paths.getJsonObject(0).getString("state"));
        assertEquals("127.0.0.1:" + port, paths.getJsonObject(0).getString("destination"));
        assertTrue(paths.getJsonObject(0).getJsonObject("statistics").containsKey("failedOver"));

        ShowSessionCommand show = new ShowSessionCommand();
        show.admin = transport;
        show.session = "demo";
        show.json = true;
        assertEquals(demo.getString("uuid"), Shell.json(show).asJsonObject().getString("uuid"));
        show.json = false;
        String table = Shell.run(show);
        assertTrue(table.contains("Max reconnect attempts: no limit"), table);
        assertTrue(table.contains("127.0.0.2:" + port), table);
        show.session = "nope";
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Shell.run(show));
        assertTrue(unknown.getMessage().contains("'nope'"), unknown.getMessage());

        ListServersCommand servers = new ListServersCommand();
        servers.admin = transport;
        servers.json = true;
        Await.until(() -> !server.sessions().isEmpty(), WAIT, "the server has the session");
        JsonObject first = ((JsonArray) Shell.json(servers)).getJsonObject(0);
        assertEquals(2, first.getJsonArray("addresses").size());
        assertEquals("demo", first.getJsonArray("sessions").getJsonObject(0).getString("name"));
        assertFalse(first.getJsonArray("sessions")
                .getJsonObject(0)
                .getJsonArray("paths")
                .getJsonObject(0)
                .getJsonObject("statistics")
                .containsKey("failedOver"));

        ListPoliciesCommand policies = new ListPoliciesCommand();
        policies.admin = transport;
        policies.json = true;
        assertEquals(0, ((JsonArray) Shell.json(policies)).size());

        ListProvidersCommand providers = new ListProvidersCommand();
        providers.providers = List.of(provider);
        providers.json = true;
        assertEquals("tcp", ((JsonArray) Shell.json(providers)).getJsonObject(0).getString("provider"));
    }

    @Test
    void addPathConnectsItAndRefusesWrongInput() throws Exception {
        ClientSession s = open("grow", "127.0.0.1");
        AddPathCommand add = new AddPathCommand();
        add.admin = transport;
        add.session = "grow";
        add.port = port;
        add.path = "127.0.0.2";
        String out = Shell.run(add);
        assertTrue(out.startsWith("Added path 127.0.0.1@127.0.0.2"), out);
        assertTrue(out.contains("runtime only"), out);
        assertEquals(2, s.paths().size());
        assertEquals(PathState.CONNECTED, s.paths().get(1).state());

        TransportException twice = assertThrows(TransportException.class, () -> Shell.run(add));
        assertEquals(Errno.EEXIST, twice.errno());
        add.path = "300.1.1.1";
        assertThrows(IllegalArgumentException.class, () -> Shell.run(add));
        add.path = "127.0.0.3";
        add.port = 0;
        assertThrows(IllegalArgumentException.class, () -> Shell.run(add));
        add.port = port;
        add.session = "nope";
        assertThrows(IllegalArgumentException.class, () -> Shell.run(add));
        assertEquals(2, s.paths().size(), () -> "paths changed: " + s.paths());
    }

    @Test
    void disconnectReconnectAndRemovePaths() throws Exception {
        ClientSession s = open("paths", "127.0.0.1", "127.0.0.2");
        DisconnectPathCommand disconnect = new DisconnectPathCommand();
        disconnect.admin = transport;
        disconnect.session = "paths";
        disconnect.path = "127.0.0.2";
        assertTrue(Shell.run(disconnect).contains("runtime only"));
        assertEquals(PathState.CLOSED, s.paths().get(1).state());
        TransportException again = assertThrows(TransportException.class, () -> Shell.run(disconnect));
        assertEquals(Errno.EALREADY, again.errno());
        disconnect.path = "10.9.9.9";
        IllegalArgumentException noPath = assertThrows(IllegalArgumentException.class, () -> Shell.run(disconnect));
        assertTrue(noPath.getMessage().contains("no path '10.9.9.9'"), noPath.getMessage());

        ReconnectPathCommand reconnect = new ReconnectPathCommand();
        reconnect.admin = transport;
        reconnect.session = "paths";
        reconnect.path = s.paths().get(1).uuid().toString();
        Shell.run(reconnect);
        assertEquals(PathState.CONNECTED, s.paths().get(1).state());

        RemovePathCommand remove = new RemovePathCommand();
        remove.admin = transport;
        remove.session = "paths";
        remove.path = s.paths().get(0).name();
        assertTrue(Shell.run(remove).startsWith("Removed path"));
        assertEquals(1, s.paths().size());
        remove.path = "127.0.0.2";
        TransportException last = assertThrows(TransportException.class, () -> Shell.run(remove));
        assertEquals(Errno.EBUSY, last.errno());
        assertEquals(1, s.paths().size());
    }

    @Test
    void setMaxReconnectAttemptsChecksTheRange() throws Exception {
        ClientSession s = open("attempts", "127.0.0.1");
        SetMaxReconnectAttemptsCommand set = new SetMaxReconnectAttemptsCommand();
        set.admin = transport;
        set.session = "attempts";
        set.attempts = 5;
        assertTrue(Shell.run(set).contains("at most 5 reconnect attempts"));
        assertEquals(5, s.maxReconnectAttempts());
        for (int bad : new int[] {-2, 10_000}) {
            set.attempts = bad;
            TransportException e = assertThrows(TransportException.class, () -> Shell.run(set));
            assertEquals(Errno.EINVAL, e.errno());
        }
        assertEquals(5, s.maxReconnectAttempts());
    }

    @Test
    void closesServerPathsAndSessions() throws Exception {
        ClientSession s = open("victim", "127.0.0.1", "127.0.0.2");
        Await.until(
                () -> server.session("victim").map(x -> x.paths().size() == 2).orElse(false),
                WAIT,
                "the server has both paths");
        CloseServerPathCommand closePath = new CloseServerPathCommand();
        closePath.admin = transport;
        closePath.session = "victim";
        closePath.path = "10.9.9.9";
        assertThrows(IllegalArgumentException.class, () -> Shell.run(closePath));
        PathInfo onServer = server.session("victim").orElseThrow().paths().get(0);
        closePath.path = onServer.uuid().toString();
        assertTrue(Shell.run(closePath).startsWith("Closed path"));
        // the client reconnects the path by itself
        Await.until(
                () -> s.paths().stream().allMatch(p -> p.state() == PathState.CONNECTED)
                        && s.paths().stream().anyMatch(p -> p.statistics().reconnectsSuccessful() > 0),
                WAIT,
                () -> "client did not reconnect: " + s.paths());

        CloseServerSessionCommand closeSession = new CloseServerSessionCommand();
        closeSession.admin = transport;
        closeSession.session = "nope";
        assertThrows(IllegalArgumentException.class, () -> Shell.run(closeSession));
        closeSession.session = "victim";
        assertTrue(Shell.run(closeSession).startsWith("Closed server session victim"));
    }
}
