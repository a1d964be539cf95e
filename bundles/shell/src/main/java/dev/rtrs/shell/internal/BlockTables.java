package dev.rtrs.shell.internal;

import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdClientAdmin.MappedDeviceInfo;
import dev.rtrs.block.RnbdServerAdmin.ExportInfo;
import dev.rtrs.block.RnbdServerAdmin.OpenDeviceInfo;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.karaf.shell.support.table.ShellTable;

/** What the rnbd:* commands print: the server's exports and open devices, the client's mapped devices. */
final class BlockTables {

    private BlockTables() {}

    static void printExports(List<ExportInfo> exports, String devSearchPath, PrintStream out) {
        ShellTable table = new ShellTable().emptyTableText("No exports.");
        for (String header : new String[] {
            "Name", "Backend", "Parameters", "Size", "Read-only", "Configured", "Open", "Available", "Allowed clients"
        }) {
            table.column(header);
        }
        for (ExportInfo e : exports) {
            table.addRow()
                    .addContent(
                            e.name(),
                            e.backend(),
                            parameters(e.parameters()),
                            e.sizeBytes() < 0 ? "-" : bytes(e.sizeBytes()),
                            yesNo(e.readOnly()),
                            yesNo(e.configured()),
                            e.openCount(),
                            yesNo(e.available()),
                            e.allowedClients().isEmpty() ? "any" : String.join(",", e.allowedClients()));
        }
        table.print(out);
        out.println("Other device names are files under dev_search_path " + devSearchPath);
    }

    static void printOpenDevices(List<OpenDeviceInfo> devices, PrintStream out) {
        ShellTable table = new ShellTable().emptyTableText("No device is open.");
        for (String header : new String[] {"Session", "Device id", "Device", "Access mode"}) {
            table.column(header);
        }
        for (OpenDeviceInfo d : devices) {
            table.addRow().addContent(d.session(), d.deviceId(), d.deviceName(), d.accessMode());
        }
        table.print(out);
    }

    static void printMappedDevices(List<MappedDeviceInfo> devices, RnbdClientAdmin client, PrintStream out) {
        ShellTable table = new ShellTable().emptyTableText("No mapped devices.");
        for (String header :
                new String[] {"Name", "Session", "Device path", "Access mode", "Size", "State", "NBD URI", "Open"}) {
            table.column(header);
        }
        for (MappedDeviceInfo d : devices) {
            // null (a configured access mode RNBD does not know) prints as it did when the mode was text
            table.addRow()
                    .addContent(
                            d.name(),
                            d.session(),
                            d.devicePath(),
                            String.valueOf(d.accessMode()),
                            d.size() < 0 ? "-" : d.size(),
                            d.state().name().toLowerCase(Locale.ROOT),
                            Objects.requireNonNullElse(client.nbdUri(d.name()), "-"),
                            client.openCount(d.name()));
        }
        table.print(out);
    }

    static void printMapped(MappedDeviceInfo d, PrintStream out) {
        out.println("Mapped " + d.name() + ": " + d.devicePath() + " " + d.accessMode() + " through session "
                + d.session() + ", " + d.size() + " bytes");
    }

    private static String parameters(Map<String, String> parameters) {
        return new TreeMap<>(parameters)
                .entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    /** Bytes in binary units, as the web console shows them: {@code 512 B}, {@code 256.0 MiB}. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }
}
