package dev.rtrs.shell.internal;

import dev.rtrs.shell.internal.completers.ServerPathCompleter;
import dev.rtrs.shell.internal.completers.ServerSessionCompleter;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.ServerSession;
import java.util.ArrayList;
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
        name = "close-server-path",
        description = "Closes one path of a client's session on this appliance's server, as the kernel's server-side"
                + " disconnect; the client fails its IO over to its other paths and reconnects the path")
public class CloseServerPathCommand implements Action {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Argument(index = 0, name = "session", description = "Name of the client's session", required = true)
    @Completion(ServerSessionCompleter.class)
    String session;

    @Argument(
            index = 1,
            name = "path",
            description = "The path: its name src@dst, its client's address or its uuid",
            required = true)
    @Completion(ServerPathCompleter.class)
    String path;

    @Override
    public Object execute() {
        List<ServerSession> sessions = Lookup.serverSessions(Available.transport(admin), session);
        List<PathInfo> paths = new ArrayList<>();
        sessions.forEach(s -> paths.addAll(s.paths()));
        PathInfo p = serverPath(paths);
        for (ServerSession s : sessions) {
            if (s.closePath(p.uuid())) {
                System.out.println("Closed path " + p.name() + " of server session " + session);
                return null;
            }
        }
        throw new IllegalArgumentException("path " + p.name() + " of server session " + session + " is gone already");
    }

    /** On the server a path's source is the client's address: a path may also be named by it. */
    private PathInfo serverPath(List<PathInfo> paths) {
        for (PathInfo p : paths) {
            if (p.source() != null && p.source().getAddress().getHostAddress().equals(path)) {
                return p;
            }
        }
        return Lookup.path(session, paths, path);
    }
}
