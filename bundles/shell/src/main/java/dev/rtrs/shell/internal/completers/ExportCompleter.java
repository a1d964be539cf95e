package dev.rtrs.shell.internal.completers;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;

import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.block.RnbdServerAdmin.ExportInfo;

/** Names of the configured exports of this appliance's RNBD server (a remote server's are not known here). */
@Service
public class ExportCompleter implements Completer {

    @Reference(optional = true)
    RnbdServerAdmin server;

    @Override
    public int complete(Session session, CommandLine line, List<String> candidates) {
        Set<String> names = new TreeSet<>();
        if (server != null) {
            server.exports().stream().filter(ExportInfo::configured).map(ExportInfo::name).forEach(names::add);
        }
        return Candidates.complete(names, session, line, candidates);
    }
}
