package dev.rtrs.shell.internal;

import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Finds what a command's arguments name: a client or server session by name, a path of it by uuid, by name
 * ({@code src@dst}, as the kernel's sysfs names paths) or by destination address. A name that finds nothing is an
 * {@link IllegalArgumentException} whose message names it.
 */
final class Lookup {

    private Lookup() {}

    static ClientSession clientSession(RtrsAdmin admin, String name) {
        return admin.clientSessions().stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no client session named '" + name + "'"));
    }

    /** The server sessions of that name, one per server that has one. */
    static List<ServerSession> serverSessions(RtrsAdmin admin, String name) {
        List<ServerSession> found = new ArrayList<>();
        for (ServerEndpoint e : admin.servers()) {
            e.session(name).ifPresent(found::add);
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no server session named '" + name + "'");
        }
        return found;
    }

    /** The path {@code ref} names among {@code paths} of session {@code session}. */
    static PathInfo path(String session, List<PathInfo> paths, String ref) {
        for (PathInfo p : paths) {
            if (p.uuid().toString().equalsIgnoreCase(ref) || p.name().equals(ref)) {
                return p;
            }
        }
        List<PathInfo> byDestination = paths.stream()
                .filter(p -> p.destination().getAddress().getHostAddress().equals(ref)
                        || TransportTables.addresses(List.of(p.destination())).equals(ref))
                .toList();
        if (byDestination.size() == 1) {
            return byDestination.get(0);
        }
        String known = paths.stream().map(PathInfo::name).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("session " + session + " has "
                + (byDestination.isEmpty() ? "no path '" + ref + "'" : "several paths to " + ref + ": name one by uuid")
                + " (paths: " + known + ")");
    }

    /** Whether mapped devices of the RNBD client are configured to use the session, so that changes are kept there. */
    static boolean configuredByRnbd(RnbdClientAdmin client, String session) {
        return client != null && client.devices().stream().anyMatch(d -> session.equals(d.session()));
    }

    /** The end of a change's message: where it is kept, or that it is not. */
    static String kept(List<String> devices, String session) {
        return devices.isEmpty()
                ? " (runtime only: no mapped device's configuration names session " + session + ")"
                : " (kept in the configuration of " + String.join(", ", devices) + ")";
    }
}
