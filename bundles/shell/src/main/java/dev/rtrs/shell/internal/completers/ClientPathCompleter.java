package dev.rtrs.shell.internal.completers;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.RtrsAdmin;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;

/**
 * Names ({@code src@dst}) of the paths of the client session the command line names in its first argument; of every
 * client session while it names none yet.
 */
@Service
public class ClientPathCompleter implements Completer {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Override
    public int complete(Session session, CommandLine line, List<String> candidates) {
        Set<String> names = new TreeSet<>();
        if (admin != null) {
            String named = Candidates.firstArgument(line);
            for (ClientSession s : admin.clientSessions()) {
                if (named == null || s.name().equals(named)) {
                    s.paths().stream().map(PathInfo::name).forEach(names::add);
                }
            }
        }
        return Candidates.complete(names, session, line, candidates);
    }
}
