package dev.rtrs.shell.internal;

import dev.rtrs.block.RnbdServerAdmin;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rnbd",
        name = "exports",
        description = "Lists the RNBD server's exports: configured ones and the search-path files in use")
public class ListExportsCommand implements Action {

    @Reference(optional = true)
    RnbdServerAdmin server;

    @Option(name = "--json", description = "Print JSON instead of a table (its shape is in the README)")
    boolean json;

    @Override
    public Object execute() {
        RnbdServerAdmin s = Available.server(server);
        if (json) {
            JsonViews.print(System.out, g -> JsonViews.exports(g, s.exports(), s.openDevices(), s.devSearchPath()));
        } else {
            BlockTables.printExports(s.exports(), s.devSearchPath(), System.out);
        }
        return null;
    }
}
