package dev.rtrs.shell.internal;

import dev.rtrs.shell.internal.completers.ClientPathCompleter;
import dev.rtrs.shell.internal.completers.ClientSessionCompleter;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.TransportException;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rtrs",
        name = "disconnect-path",
        description = "Closes a path of a client session until rtrs:reconnect-path, as the kernel's per-path"
                + " disconnect; its IO fails over to the other paths")
public class DisconnectPathCommand implements Action {

    @Reference(optional = true)
    RtrsAdmin admin;

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
    public Object execute() throws TransportException {
        ClientSession s = Lookup.clientSession(Available.transport(admin), session);
        PathInfo p = Lookup.path(session, s.paths(), path);
        s.disconnectPath(p.uuid());
        System.out.println("Disconnected path " + p.name() + " of session " + session
                + " (runtime only: it connects again when the session is opened again)");
        return null;
    }
}
