package dev.rtrs.shell.internal;

import dev.rtrs.block.RnbdServerAdmin;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
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

    @Override
    public Object execute() {
        RnbdServerAdmin s = Available.server(server);
        BlockTables.printExports(s.exports(), s.devSearchPath(), System.out);
        return null;
    }
}
