package dev.rtrs.shell.internal.completers;

import dev.rtrs.transport.RtrsAdmin;
import java.util.Set;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Names and aliases of the installed multipath policies. */
@Service
public class PolicyCompleter extends AbstractNamesCompleter {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Override
    void addNames(Set<String> names) {
        if (admin != null) {
            admin.policies().forEach((name, aliases) -> {
                names.add(name);
                names.addAll(aliases);
            });
        }
    }
}
