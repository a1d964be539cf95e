package dev.rtrs.shell.internal;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.RtrsAdmin;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rtrs",
        name = "sessions",
        description = "Lists the client sessions with their paths and path statistics")
public class ListSessionsCommand implements Action {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Option(name = "--json", description = "Print JSON instead of a table (its shape is in the README)")
    boolean json;

    @Override
    public Object execute() {
        List<ClientSession> sessions = Available.transport(admin).clientSessions();
        if (json) {
            JsonViews.print(System.out, g -> JsonViews.clientSessions(g, sessions));
        } else {
            TransportTables.printClientSessions(sessions, System.out);
        }
        return null;
    }
}
