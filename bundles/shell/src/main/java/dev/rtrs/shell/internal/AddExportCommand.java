package dev.rtrs.shell.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.block.RnbdServerAdmin.ExportInfo;
import dev.rtrs.block.RnbdServerAdmin.ExportRequest;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rnbd",
        name = "add-export",
        description = "Adds an export to the RNBD server; it is kept across restarts")
public class AddExportCommand implements Action {

    @Reference(optional = true)
    RnbdServerAdmin server;

    @Option(name = "--backend", aliases = "-b", description = "Backend type: memory, file, or any installed backend")
    String backend = "memory";

    @Option(
            name = "--parameter",
            aliases = "-o",
            description = "A backend parameter as key=value, e.g. size=1G or path=/srv/disk.img; repeat for more",
            multiValued = true)
    List<String> parameters = List.of();

    @Option(name = "--read-only", aliases = "-r", description = "Clients may only open the export read-only")
    boolean readOnly;

    @Option(
            name = "--allow-session",
            description = "A session name that may open the export (default: any); repeat for more",
            multiValued = true)
    List<String> allowedSessions = List.of();

    @Option(
            name = "--allowed-clients",
            description = "Client addresses or CIDR ranges whose sessions may open the export, e.g. 10.0.0.0/24 or"
                    + " ::1/128 (default: any); repeat or comma-separate for more",
            multiValued = true)
    List<String> allowedClients = List.of();

    @Option(name = "--timeout", description = "Milliseconds to wait for the server to take the export")
    long timeoutMs = 10_000;

    @Argument(index = 0, name = "name", description = "Name clients open the export by", required = true)
    String name;

    @Override
    public Object execute() throws BlockException {
        ExportInfo added = Available.server(server)
                .addExport(
                        new ExportRequest(name, backend, parameters, readOnly, allowedSessions, allowedClients),
                        timeoutMs);
        String clients =
                added.allowedClients().isEmpty() ? "" : ", allowed clients " + String.join(",", added.allowedClients());
        System.out.println("Added export " + added.name() + " (" + added.backend() + clients
                + (added.available() ? ")" : ", waiting for its backend to be installed)"));
        return null;
    }
}
