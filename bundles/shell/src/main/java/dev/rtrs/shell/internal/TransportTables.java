package dev.rtrs.shell.internal;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathStatistics;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;
import dev.rtrs.verbs.DeviceCapabilities;
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.VerbsProvider;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.karaf.shell.support.table.Row;
import org.apache.karaf.shell.support.table.ShellTable;

/** What the rtrs:* commands print: verbs providers, client sessions, servers, and their paths with statistics. */
final class TransportTables {

    private TransportTables() {}

    static void printProviders(List<VerbsProvider> providers, PrintStream out) {
        ShellTable table = new ShellTable().emptyTableText("No verbs provider is installed.");
        for (String header : new String[] {
            "Provider",
            "Device",
            "QP work requests",
            "SG entries",
            "CQ entries",
            "MR size",
            "Private data",
            "Optional verbs"
        }) {
            table.column(header);
        }
        List<VerbsProvider> sorted = new ArrayList<>(providers);
        sorted.sort(Comparator.comparing(VerbsProvider::name));
        for (VerbsProvider p : sorted) {
            for (RdmaDevice d : p.devices()) {
                DeviceCapabilities c = d.capabilities();
                String optional = c.optional().stream().map(Enum::name).sorted().collect(Collectors.joining(","));
                table.addRow()
                        .addContent(
                                p.name(),
                                d.name(),
                                c.maxQueuePairWorkRequests(),
                                c.maxScatterGatherEntries(),
                                c.maxCompletionQueueEntries(),
                                c.maxMemoryRegionSize(),
                                c.maxPrivateData(),
                                optional.isEmpty() ? "-" : optional);
            }
        }
        table.print(out);
    }

    static void printClientSessions(List<ClientSession> sessions, PrintStream out) {
        if (sessions.isEmpty()) {
            out.println("No client sessions.");
            return;
        }
        List<ClientSession> sorted = new ArrayList<>(sessions);
        sorted.sort(Comparator.comparing(ClientSession::name));
        ShellTable table = new ShellTable();
        for (String header : new String[] {"Session", "State", "Policy", "Queue depth", "Max IO", "Paths", "UUID"}) {
            table.column(header);
        }
        ShellTable paths = pathTable(true, "Session");
        for (ClientSession s : sorted) {
            List<PathInfo> infos = s.paths();
            table.addRow()
                    .addContent(s.name(), s.state(), s.policy(), s.queueDepth(), s.maxIoSize(), infos.size(), s.uuid());
            for (PathInfo p : infos) {
                pathRow(paths, p, true, s.name());
            }
        }
        table.print(out);
        out.println();
        paths.print(out);
    }

    /** One client session: its settings, then its paths. */
    static void printClientSession(ClientSession s, PrintStream out) {
        out.println("Session:                " + s.name());
        out.println("UUID:                   " + s.uuid());
        out.println("State:                  " + s.state());
        out.println("Multipath policy:       " + s.policy());
        out.println("Queue depth:            " + s.queueDepth());
        out.println("Max IO:                 " + s.maxIoSize());
        int attempts = s.maxReconnectAttempts();
        out.println("Max reconnect attempts: " + (attempts < 0 ? "no limit" : attempts));
        out.println();
        ShellTable paths = pathTable(true, "UUID", "Source", "Destination");
        for (PathInfo p : s.paths()) {
            String source = p.source() == null ? "-" : addresses(List.of(p.source()));
            pathRow(paths, p, true, p.uuid(), source, addresses(List.of(p.destination())));
        }
        paths.emptyTableText("No paths.");
        paths.print(out);
    }

    static void printServers(List<ServerEndpoint> servers, PrintStream out) {
        if (servers.isEmpty()) {
            out.println("No RTRS server is listening.");
            return;
        }
        ShellTable table = new ShellTable();
        for (String header : new String[] {
            "Server", "Queue depth", "Chunk size", "Max IO", "Always invalidate", "Provider", "Sessions"
        }) {
            table.column(header);
        }
        ShellTable sessions = pathTable(false, "Server", "Session", "Queue depth");
        for (ServerEndpoint e : servers) {
            String server = addresses(e.localAddresses());
            List<ServerSession> list = new ArrayList<>(e.sessions());
            list.sort(Comparator.comparing(ServerSession::name));
            table.addRow()
                    .addContent(
                            server,
                            e.options().queueDepth(),
                            e.options().chunkSize(),
                            e.maxIoSize(),
                            e.options().alwaysInvalidate() ? "on" : "off",
                            e.options().provider(),
                            list.size());
            for (ServerSession s : list) {
                for (PathInfo p : s.paths()) {
                    pathRow(sessions, p, false, server, s.name(), s.queueDepth());
                }
            }
        }
        table.print(out);
        out.println();
        sessions.emptyTableText("No client has a session.");
        sessions.print(out);
    }

    /** A table of paths after the given key columns; fail-over and reconnects happen on the client side only. */
    private static ShellTable pathTable(boolean clientSide, String... keys) {
        ShellTable table = new ShellTable();
        for (String key : keys) {
            table.column(key);
        }
        for (String header : new String[] {
            "Path", "State", "Connections", "RTT (us)", "Reads", "Read bytes", "Writes", "Write bytes", "In flight"
        }) {
            table.column(header);
        }
        if (clientSide) {
            table.column("Failed over");
            table.column("Reconnects");
            table.column("Failed reconnects");
        }
        return table;
    }

    private static void pathRow(ShellTable table, PathInfo p, boolean clientSide, Object... keys) {
        Row row = table.addRow();
        row.addContent(keys);
        PathStatistics s = p.statistics();
        row.addContent(
                p.name(),
                p.state(),
                p.connections(),
                p.roundTripNanos() < 0 ? "-" : Long.toString(p.roundTripNanos() / 1000),
                s.readCount(),
                s.readBytes(),
                s.writeCount(),
                s.writeBytes(),
                s.inflight());
        if (clientSide) {
            row.addContent(s.failedOver(), s.reconnectsSuccessful(), s.reconnectsFailed());
        }
    }

    static String addresses(List<InetSocketAddress> addresses) {
        return addresses.stream().map(TransportTables::address).collect(Collectors.joining(","));
    }

    private static String address(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
