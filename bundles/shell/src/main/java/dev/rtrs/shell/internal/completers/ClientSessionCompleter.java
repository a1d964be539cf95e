package dev.rtrs.shell.internal.completers;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.RtrsAdmin;
import java.util.Set;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Names of the open client sessions. */
@Service
public class ClientSessionCompleter extends AbstractNamesCompleter {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Override
    void addNames(Set<String> names) {
        addClientSessions(admin, names);
    }

    /** Adds the names of the open client sessions; none while the transport is absent. */
    static void addClientSessions(RtrsAdmin admin, Set<String> names) {
        if (admin != null) {
            admin.clientSessions().stream().map(ClientSession::name).forEach(names::add);
        }
    }
}
