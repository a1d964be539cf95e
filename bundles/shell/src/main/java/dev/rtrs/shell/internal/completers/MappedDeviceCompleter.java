package dev.rtrs.shell.internal.completers;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;

import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdClientAdmin.MappedDeviceInfo;

/** Names of the mapped devices, including those configured and still being mapped. */
@Service
public class MappedDeviceCompleter implements Completer {

    @Reference(optional = true)
    RnbdClientAdmin client;

    @Override
    public int complete(Session session, CommandLine line, List<String> candidates) {
        Set<String> names = new TreeSet<>();
        if (client != null) {
            client.devices().stream().map(MappedDeviceInfo::name).forEach(names::add);
        }
        return Candidates.complete(names, session, line, candidates);
    }
}
