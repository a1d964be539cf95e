package dev.rtrs.shell.internal;

import dev.rtrs.shell.internal.completers.SessionCompleter;
import dev.rtrs.transport.RtrsAdmin;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rtrs",
        name = "reset-stats",
        description =
                "Sets the path statistics of a client or server session (or both, if both have the name) back to zero")
public class ResetStatsCommand implements Action {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Argument(index = 0, name = "session", description = "Name of the session", required = true)
    @Completion(SessionCompleter.class)
    String session;

    @Override
    public Object execute() {
        for (String what : SessionStatistics.reset(Available.transport(admin), session)) {
            System.out.println("Statistics reset: " + what);
        }
        return null;
    }
}
