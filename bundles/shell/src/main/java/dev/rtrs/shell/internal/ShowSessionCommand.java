package dev.rtrs.shell.internal;

import dev.rtrs.shell.internal.completers.ClientSessionCompleter;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.RtrsAdmin;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rtrs",
        name = "session",
        description = "Shows one client session: its settings, and its paths with state, addresses, round-trip time"
                + " and statistics")
public class ShowSessionCommand implements Action {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Option(name = "--json", description = "Print the session as JSON (its shape is in the README)")
    boolean json;

    @Argument(index = 0, name = "session", description = "Name of the client session", required = true)
    @Completion(ClientSessionCompleter.class)
    String session;

    @Override
    public Object execute() {
        ClientSession s = Lookup.clientSession(Available.transport(admin), session);
        if (json) {
            JsonViews.print(System.out, g -> JsonViews.clientSession(g, s));
        } else {
            TransportTables.printClientSession(s, System.out);
        }
        return null;
    }
}
