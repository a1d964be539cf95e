package dev.rtrs.shell.internal;

import dev.rtrs.shell.internal.completers.ClientPathCompleter;
import dev.rtrs.shell.internal.completers.ClientSessionCompleter;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.RtrsAdmin;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/** A command on one path of a client session: the session and the path are its two arguments, as in sysfs. */
abstract class ClientPathCommand implements Action {

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
    public final Object execute() throws Exception {
        ClientSession s = Lookup.clientSession(Available.transport(admin), session);
        System.out.println(act(s, Lookup.path(session, s.paths(), path)));
        return null;
    }

    /** Acts on the path; returns the line that says what was done. */
    abstract String act(ClientSession s, PathInfo p) throws Exception;
}
