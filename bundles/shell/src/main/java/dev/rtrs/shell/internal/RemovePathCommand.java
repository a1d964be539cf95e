package dev.rtrs.shell.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.shell.internal.completers.ClientPathCompleter;
import dev.rtrs.shell.internal.completers.ClientSessionCompleter;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
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
        name = "remove-path",
        description = "Closes a path of a client session and removes it, as the kernel's remove_path (never the last"
                + " one); kept in the configuration of the RNBD mappings through the session")
public class RemovePathCommand implements Action {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Reference(optional = true)
    RnbdClientAdmin client;

    @Argument(index = 0, name = "session", description = "Name of the client session", required = true)
    @Completion(ClientSessionCompleter.class)
    String session;

    @Argument(
            index = 1,
            name = "path",
            description = "The path: its name src@dst, its destination address or its uuid",
            required = true)
    @Completion(ClientPathCompleter.class)
    String path;

    @Override
    public Object execute() throws BlockException, TransportException {
        ClientSession s = Lookup.clientSession(Available.transport(admin), session);
        PathInfo p = Lookup.path(session, s.paths(), path);
        List<String> kept = List.of();
        if (Lookup.configuredByRnbd(client, session)) {
            kept = client.removePath(session, p.uuid());
        } else {
            s.removePath(p.uuid());
        }
        System.out.println("Removed path " + p.name() + " from session " + session + Lookup.kept(kept, session));
        return null;
    }
}
