package dev.rtrs.shell.internal;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;
import java.util.ArrayList;
import java.util.List;

/** Statistics of sessions found by name: a name may be a client session, a server session, or both on one appliance. */
final class SessionStatistics {

    private SessionStatistics() {}

    /**
     * Zeroes the path counters of every client and server session called {@code name}.
     *
     * @return what was reset, e.g. {@code client session demo}
     * @throws IllegalArgumentException when no session has that name
     */
    static List<String> reset(RtrsAdmin admin, String name) {
        List<String> done = new ArrayList<>();
        for (ClientSession s : admin.clientSessions()) {
            if (s.name().equals(name)) {
                s.resetStatistics();
                done.add("client session " + name);
            }
        }
        for (ServerEndpoint e : admin.servers()) {
            for (ServerSession s : e.sessions()) {
                if (s.name().equals(name)) {
                    s.resetStatistics();
                    done.add("server session " + name + " on " + TransportTables.addresses(e.localAddresses()));
                }
            }
        }
        if (done.isEmpty()) {
            throw new IllegalArgumentException("no client or server session named '" + name + "'");
        }
        return done;
    }
}
