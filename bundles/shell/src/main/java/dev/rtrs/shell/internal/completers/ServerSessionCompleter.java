package dev.rtrs.shell.internal.completers;

import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;
import java.util.Set;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Names of the sessions clients have open on this appliance's servers. */
@Service
public class ServerSessionCompleter extends AbstractNamesCompleter {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Override
    void addNames(Set<String> names) {
        addServerSessions(admin, names);
    }

    /** Adds the names of the sessions on this appliance's servers; none while the transport is absent. */
    static void addServerSessions(RtrsAdmin admin, Set<String> names) {
        if (admin != null) {
            for (ServerEndpoint e : admin.servers()) {
                e.sessions().stream().map(ServerSession::name).forEach(names::add);
            }
        }
    }
}
