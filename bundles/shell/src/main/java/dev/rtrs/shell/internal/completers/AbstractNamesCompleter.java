package dev.rtrs.shell.internal.completers;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;

/**
 * A completer that offers the names one of the appliance's services knows now: the subclass holds the optional
 * {@code @Reference} to that service and adds the names, none while the service is absent.
 */
abstract class AbstractNamesCompleter implements Completer {

    @Override
    public final int complete(Session session, CommandLine line, List<String> candidates) {
        Set<String> names = new TreeSet<>();
        addNames(names);
        return Candidates.complete(names, session, line, candidates);
    }

    /** Adds the names to offer; called on the shell's thread for each completion. */
    abstract void addNames(Set<String> names);
}
