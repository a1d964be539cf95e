package dev.rtrs.shell.internal.completers;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;

/** The RNBD access modes. */
@Service
public class AccessModeCompleter implements Completer {

    @Override
    public int complete(Session session, CommandLine line, List<String> candidates) {
        return Candidates.complete(List.of("ro", "rw", "migration"), session, line, candidates);
    }
}
