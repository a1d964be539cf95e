package dev.rtrs.shell.internal.completers;

import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.block.RnbdServerAdmin.ExportInfo;
import java.util.Set;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Names of the configured exports of this appliance's RNBD server (a remote server's are not known here). */
@Service
public class ExportCompleter extends AbstractNamesCompleter {

    @Reference(optional = true)
    RnbdServerAdmin server;

    @Override
    void addNames(Set<String> names) {
        if (server != null) {
            server.exports().stream()
                    .filter(ExportInfo::configured)
                    .map(ExportInfo::name)
                    .forEach(names::add);
        }
    }
}
