package dev.rtrs.shell.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.shell.internal.completers.ExportCompleter;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rnbd",
        name = "remove-export",
        description = "Removes a configured export (also one from an etc/ file); its storage is left alone")
public class RemoveExportCommand implements Action {

    @Reference(optional = true)
    RnbdServerAdmin server;

    @Argument(index = 0, name = "name", description = "Name of the export", required = true)
    @Completion(ExportCompleter.class)
    String name;

    @Override
    public Object execute() throws BlockException {
        Available.server(server).removeExport(name);
        System.out.println("Removed export " + name);
        return null;
    }
}
