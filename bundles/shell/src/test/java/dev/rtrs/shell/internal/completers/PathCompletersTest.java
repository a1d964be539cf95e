package dev.rtrs.shell.internal.completers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.PathStatistics;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.support.parsing.DefaultParser;
import org.junit.jupiter.api.Test;

/**
 * Tab completion of path names, driven as the console drives it: Karaf's parser cuts the line at the cursor, the
 * completer fills the candidates and answers where the completed word starts (-1 for none).
 */
class PathCompletersTest {

    private static final PathStatistics NO_IO = new PathStatistics(0, 0, 0, 0, 0, 0, 0, 0);

    /** Client session demo with two paths, and session other with one. */
    private final FakeAdmin withSessions = new FakeAdmin(
            List.of(
                    clientSession("demo", path("127.0.0.1", "127.0.0.1"), path("127.0.0.1", "127.0.0.2")),
                    clientSession("other", path("10.0.0.1", "10.0.0.9"))),
            List.of(endpoint(
                    serverSession("demo", path("127.0.0.5", "127.0.0.1"), path("127.0.0.6", "127.0.0.2")),
                    serverSession("other", path("10.0.0.1", "10.0.0.2")))));

    private final FakeAdmin withoutSessions = new FakeAdmin(List.of(), List.of(endpoint()));

    /** The candidates for the line, cursor at its end; and the position the completed word starts at. */
    private static Completion complete(Completer completer, String line) {
        CommandLine parsed = new DefaultParser().parse(null, line, line.length());
        List<String> candidates = new ArrayList<>();
        int start = completer.complete(null, parsed, candidates);
        return new Completion(candidates, start);
    }

    private record Completion(List<String> candidates, int start) {}

    /** Candidates as Karaf's StringsCompleter gives them: each word with the space the console types after it. */
    private static List<String> words(String... names) {
        return Arrays.stream(names).map(n -> n + " ").toList();
    }

    private static ClientPathCompleter clientPaths(RtrsAdmin admin) {
        ClientPathCompleter c = new ClientPathCompleter();
        c.admin = admin;
        return c;
    }

    private static ServerPathCompleter serverPaths(RtrsAdmin admin) {
        ServerPathCompleter c = new ServerPathCompleter();
        c.admin = admin;
        return c;
    }

    @Test
    void clientPathsOfTheNamedSession() {
        String line = "rtrs:remove-path demo ";
        assertEquals(
                new Completion(words("127.0.0.1@127.0.0.1", "127.0.0.1@127.0.0.2"), line.length()),
                complete(clientPaths(withSessions), line));
        assertEquals(
                new Completion(words("127.0.0.1@127.0.0.2"), line.length()),
                complete(clientPaths(withSessions), line + "127.0.0.1@127.0.0.2"),
                "a typed prefix narrows the candidates; the word to replace starts after the session");
        assertEquals(
                new Completion(words("10.0.0.1@10.0.0.9"), "rtrs:disconnect-path other ".length()),
                complete(clientPaths(withSessions), "rtrs:disconnect-path other 10"));
    }

    @Test
    void clientPathsOfEverySessionUntilOneIsNamed() {
        assertEquals(
                words("10.0.0.1@10.0.0.9", "127.0.0.1@127.0.0.1", "127.0.0.1@127.0.0.2"),
                complete(clientPaths(withSessions), "rtrs:remove-path ").candidates());
    }

    @Test
    void noClientPathsWithoutSessionsOrTransport() {
        Completion none = new Completion(List.of(), -1);
        assertEquals(none, complete(clientPaths(withoutSessions), "rtrs:remove-path demo "));
        assertEquals(none, complete(clientPaths(withoutSessions), "rtrs:remove-path "));
        assertEquals(none, complete(clientPaths(withSessions), "rtrs:remove-path nope "), "an unknown session");
        assertEquals(none, complete(clientPaths(null), "rtrs:remove-path demo "), "no RtrsAdmin service");
    }

    @Test
    void serverPathsOfTheNamedSession() {
        String line = "rtrs:close-server-path demo ";
        assertEquals(
                new Completion(words("127.0.0.5@127.0.0.1", "127.0.0.6@127.0.0.2"), line.length()),
                complete(serverPaths(withSessions), line));
        assertEquals(
                words("127.0.0.6@127.0.0.2"),
                complete(serverPaths(withSessions), line + "127.0.0.6").candidates());
        assertEquals(
                words("10.0.0.1@10.0.0.2", "127.0.0.5@127.0.0.1", "127.0.0.6@127.0.0.2"),
                complete(serverPaths(withSessions), "rtrs:close-server-path ").candidates());
    }

    @Test
    void noServerPathsWithoutSessionsOrTransport() {
        Completion none = new Completion(List.of(), -1);
        assertEquals(none, complete(serverPaths(withoutSessions), "rtrs:close-server-path demo "));
        assertEquals(none, complete(serverPaths(withoutSessions), "rtrs:close-server-path "));
        assertEquals(none, complete(serverPaths(null), "rtrs:close-server-path demo "));
    }

    // ---- fakes: only what the completers read ----

    private record FakeAdmin(List<ClientSession> clientSessions, List<ServerEndpoint> servers) implements RtrsAdmin {
        @Override
        public Map<String, List<String>> policies() {
            return Map.of();
        }
    }

    private static PathInfo path(String source, String destination) {
        return new PathInfo(
                UUID.randomUUID(),
                new InetSocketAddress(source, 40_000),
                new InetSocketAddress(destination, 1234),
                PathState.CONNECTED,
                2,
                NO_IO,
                -1);
    }

    private static ClientSession clientSession(String name, PathInfo... paths) {
        return fake(ClientSession.class, name, Arrays.asList(paths));
    }

    private static ServerSession serverSession(String name, PathInfo... paths) {
        return fake(ServerSession.class, name, Arrays.asList(paths));
    }

    private static ServerEndpoint endpoint(ServerSession... sessions) {
        return fake(ServerEndpoint.class, null, Arrays.asList(sessions));
    }

    /** A session that answers its name and paths, or an endpoint that answers its sessions; nothing else. */
    private static <T> T fake(Class<T> type, String name, List<?> children) {
        return type.cast(Proxy.newProxyInstance(
                PathCompletersTest.class.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "name":
                            return name;
                        case "paths":
                        case "sessions":
                            return children;
                        default:
                            throw new UnsupportedOperationException(type.getSimpleName() + "." + method.getName());
                    }
                }));
    }
}
