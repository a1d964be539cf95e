package dev.rtrs.shell.internal;

import dev.rtrs.shell.internal.completers.ServerSessionCompleter;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.ServerSession;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rtrs",
        name = "close-server-session",
        description = "Force-closes a client's session on this appliance's servers: every path is disconnected (the"
                + " client may reconnect); rnbd:close-session also closes the devices the session opened")
public class CloseServerSessionCommand implements Action {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Argument(index = 0, name = "session", description = "Name of the client's session", required = true)
    @Completion(ServerSessionCompleter.class)
    String session;

    @Override
    public Object execute() {
        for (ServerSession s : Lookup.serverSessions(Available.transport(admin), session)) {
            s.close();
        }
        System.out.println("Closed server session " + session);
        return null;
    }
}
