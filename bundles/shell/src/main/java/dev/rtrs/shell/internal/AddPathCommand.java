package dev.rtrs.shell.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.shell.internal.completers.ClientSessionCompleter;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.RtrsLimits;
import dev.rtrs.transport.TransportException;
import java.util.List;
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
        name = "add-path",
        description = "Adds a path to a client session and connects it, as the kernel's add_path; kept in the"
                + " configuration of the RNBD mappings through the session")
public class AddPathCommand implements Action {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Reference(optional = true)
    RnbdClientAdmin client;

    @Option(name = "--port", description = "Server port when the path names none")
    int port = RtrsLimits.DEFAULT_PORT;

    @Argument(index = 0, name = "session", description = "Name of the client session", required = true)
    @Completion(ClientSessionCompleter.class)
    String session;

    @Argument(
            index = 1,
            name = "path",
            description = "The path as [src,]dst, e.g. 10.0.0.2 or ip:10.0.0.1,ip:10.0.0.2:1234",
            required = true)
    String path;

    @Override
    public Object execute() throws BlockException, TransportException, InterruptedException {
        RtrsAdmin transport = Available.transport(admin);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not 1 to 65535");
        }
        PathAddress address = PathAddress.parse(path, port);
        if (Lookup.configuredByRnbd(client, session)) {
            List<String> kept = client.addPath(session, path, port);
            System.out.println("Added path " + address + " to session " + session + Lookup.kept(kept, session));
        } else {
            PathInfo added = Lookup.clientSession(transport, session).addPath(address);
            System.out.println("Added path " + added.name() + " (" + added.uuid() + ") to session " + session
                    + Lookup.kept(List.of(), session));
        }
        return null;
    }
}
