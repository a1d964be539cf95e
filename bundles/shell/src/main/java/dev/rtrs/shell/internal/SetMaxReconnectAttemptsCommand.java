package dev.rtrs.shell.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.shell.internal.completers.ClientSessionCompleter;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.TransportException;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rtrs",
        name = "set-max-reconnect-attempts",
        description = "Sets how often a broken path of a client session tries to reconnect before it is given up, as"
                + " the kernel's max_reconnect_attempts; kept in the configuration of the RNBD mappings through the"
                + " session")
public class SetMaxReconnectAttemptsCommand implements Action {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Reference(optional = true)
    RnbdClientAdmin client;

    @Argument(index = 0, name = "session", description = "Name of the client session", required = true)
    @Completion(ClientSessionCompleter.class)
    String session;

    @Argument(index = 1, name = "attempts", description = "-1 for no limit, or 0 to 9999", required = true)
    int attempts;

    @Override
    public Object execute() throws BlockException, TransportException {
        RtrsAdmin transport = Available.transport(admin);
        List<String> kept = List.of();
        if (Lookup.configuredByRnbd(client, session)) {
            kept = client.setMaxReconnectAttempts(session, attempts);
        } else {
            Lookup.clientSession(transport, session).setMaxReconnectAttempts(attempts);
        }
        System.out.println("Session " + session + " makes "
                + (attempts < 0 ? "unlimited reconnect attempts" : "at most " + attempts + " reconnect attempts")
                + Lookup.kept(kept, session));
        return null;
    }
}
