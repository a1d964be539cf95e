package dev.rtrs.shell.internal.completers;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;

import dev.rtrs.transport.RtrsAdmin;

/** Names and aliases of the installed multipath policies. */
@Service
public class PolicyCompleter implements Completer {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Override
    public int complete(Session session, CommandLine line, List<String> candidates) {
        Set<String> names = new TreeSet<>();
        if (admin != null) {
            admin.policies().forEach((name, aliases) -> {
                names.add(name);
                names.addAll(aliases);
            });
        }
        return Candidates.complete(names, session, line, candidates);
    }
}
