package dev.rtrs.shell.internal.completers;

import dev.rtrs.transport.RtrsAdmin;
import java.util.Set;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Names of the client sessions and of the sessions on this appliance's servers. */
@Service
public class SessionCompleter extends AbstractNamesCompleter {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Override
    void addNames(Set<String> names) {
        ClientSessionCompleter.addClientSessions(admin, names);
        ServerSessionCompleter.addServerSessions(admin, names);
    }
}
