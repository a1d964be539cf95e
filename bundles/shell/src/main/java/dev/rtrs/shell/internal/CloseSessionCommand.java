package dev.rtrs.shell.internal;

import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.shell.internal.completers.ServerSessionCompleter;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rnbd",
        name = "close-session",
        description =
                "Force-closes a client's session on the RNBD server with every device it opened (the client may reconnect)")
public class CloseSessionCommand implements Action {

    @Reference(optional = true)
    RnbdServerAdmin server;

    @Argument(index = 0, name = "session", description = "Name of the client's session", required = true)
    @Completion(ServerSessionCompleter.class)
    String session;

    @Override
    public Object execute() {
        if (!Available.server(server).closeSession(session)) {
            throw new IllegalArgumentException("no RNBD server session named '" + session + "'");
        }
        System.out.println("Closed session " + session);
        return null;
    }
}
