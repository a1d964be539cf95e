package dev.rtrs.shell.internal.completers;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;

/** Names of the client sessions and of the sessions on this appliance's servers. */
@Service
public class SessionCompleter implements Completer {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Override
    public int complete(Session session, CommandLine line, List<String> candidates) {
        Set<String> names = new TreeSet<>();
        if (admin != null) {
            admin.clientSessions().stream().map(ClientSession::name).forEach(names::add);
            for (ServerEndpoint e : admin.servers()) {
                e.sessions().stream().map(ServerSession::name).forEach(names::add);
            }
        }
        return Candidates.complete(names, session, line, candidates);
    }
}
