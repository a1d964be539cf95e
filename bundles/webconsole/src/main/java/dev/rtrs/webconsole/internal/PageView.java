package dev.rtrs.webconsole.internal;

import dev.rtrs.block.RnbdClientAdmin.MappedDeviceInfo;
import dev.rtrs.block.RnbdServerAdmin.ExportInfo;
import dev.rtrs.block.RnbdServerAdmin.OpenDeviceInfo;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathStatistics;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The page's variables: the tables of a snapshot, rendered on the server so that the page reads without JavaScript,
 * and the action forms that carry the form token. The console writes them into {@code templates/rtrs.html}
 * ({@code ${rtrs.*}}); every value is HTML, and everything in it that came from a service is escaped.
 */
final class PageView {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");
    private static final String[] PATH_COLUMNS = {
        "Path", "State", "Connections", "RTT (us)", "Reads", "Read bytes", "Writes", "Write bytes", "In flight"
    };

    private PageView() {}

    /**
     * @param token      the session's form token
     * @param pluginRoot the page's path ({@code /system/console/rtrs}): forms post to it, data.json is below it
     */
    static Map<String, String> variables(ApplianceSnapshot snapshot, String token, String pluginRoot) {
        Forms forms = new Forms(token, pluginRoot);
        Map<String, String> vars = new HashMap<>();
        vars.put(
                "rtrs.time",
                Html.text("Read at "
                                + TIME.format(Instant.ofEpochMilli(snapshot.timeMillis())
                                        .atZone(ZoneId.systemDefault())))
                        .markup());
        vars.put("rtrs.dataUrl", Html.escape(pluginRoot + "/data.json"));
        vars.put(
                "rtrs.clientSessions", section(snapshot.transport(), Section.TRANSPORT, t -> clientSessions(t, forms)));
        vars.put("rtrs.clientPaths", section(snapshot.transport(), Section.TRANSPORT, t -> clientPaths(t, forms)));
        vars.put("rtrs.servers", section(snapshot.transport(), Section.TRANSPORT, PageView::servers));
        vars.put("rtrs.serverPaths", section(snapshot.transport(), Section.TRANSPORT, t -> serverPaths(t, forms)));
        vars.put("rtrs.devices", section(snapshot.client(), Section.RNBD_CLIENT, c -> devices(c.devices())));
        vars.put("rtrs.exports", section(snapshot.server(), Section.RNBD_SERVER, s -> exports(s.exports())));
        vars.put(
                "rtrs.openDevices", section(snapshot.server(), Section.RNBD_SERVER, s -> openDevices(s.openDevices())));
        return vars;
    }

    /** The rendered part, or the line saying which feature provides it. */
    private static <T> String section(Optional<T> part, Section section, Function<T, Html> render) {
        return part.map(render)
                .orElseGet(() -> paragraph("rtrs-missing", section.missing()))
                .markup();
    }

    private static Html clientSessions(ApplianceSnapshot.Transport t, Forms forms) {
        if (t.clientSessions().isEmpty()) {
            return paragraph("rtrs-empty", "No client sessions.");
        }
        HtmlTable table = new HtmlTable(
                "rtrs-client-sessions", "Session", "State", "Policy", "Change policy", "Queue depth", "Paths", "UUID");
        for (ApplianceSnapshot.ClientSessionState s : t.clientSessions()) {
            table.row(
                    s.name(),
                    s.state(),
                    s.policy(),
                    forms.setPolicy(s, t.policies()),
                    s.queueDepth(),
                    s.paths().size(),
                    s.uuid());
        }
        return table.toHtml();
    }

    private static Html clientPaths(ApplianceSnapshot.Transport t, Forms forms) {
        if (t.clientSessions().stream().allMatch(s -> s.paths().isEmpty())) {
            return paragraph("rtrs-empty", "No client paths.");
        }
        HtmlTable table =
                new HtmlTable("rtrs-client-paths", concat(new String[] {"Session"}, PATH_COLUMNS, new String[] {
                    "Failed over", "Reconnects", "Failed reconnects", "Action"
                }));
        for (ApplianceSnapshot.ClientSessionState s : t.clientSessions()) {
            for (PathInfo p : s.paths()) {
                PathStatistics st = p.statistics();
                table.row(concat(new Object[] {s.name()}, pathCells(p), new Object[] {
                    st.failedOver(), st.reconnectsSuccessful(), st.reconnectsFailed(), forms.clientPath(s.name(), p)
                }));
            }
        }
        return table.toHtml();
    }

    private static Html servers(ApplianceSnapshot.Transport t) {
        if (t.servers().isEmpty()) {
            return paragraph("rtrs-empty", "No RTRS server is listening.");
        }
        HtmlTable table = new HtmlTable(
                "rtrs-servers",
                "Server",
                "Queue depth",
                "Chunk size",
                "Max IO",
                "Always invalidate",
                "Provider",
                "Sessions");
        for (ApplianceSnapshot.Server s : t.servers()) {
            table.row(
                    addresses(s),
                    s.options().queueDepth(),
                    bytes(s.options().chunkSize()),
                    bytes(s.maxIoSize()),
                    s.options().alwaysInvalidate() ? "on" : "off",
                    s.options().provider(),
                    s.sessions().size());
        }
        return table.toHtml();
    }

    private static Html serverPaths(ApplianceSnapshot.Transport t, Forms forms) {
        if (t.servers().stream().allMatch(s -> s.sessions().isEmpty())) {
            return paragraph("rtrs-empty", "No client has a session with this appliance's servers.");
        }
        HtmlTable table = new HtmlTable(
                "rtrs-server-paths", concat(new String[] {"Server", "Session"}, PATH_COLUMNS, new String[] {"Action"}));
        for (ApplianceSnapshot.Server server : t.servers()) {
            for (ApplianceSnapshot.ServerSessionState s : server.sessions()) {
                for (PathInfo p : s.paths()) {
                    table.row(concat(new Object[] {addresses(server), s.name()}, pathCells(p), new Object[] {
                        forms.closePath(s, p)
                    }));
                }
            }
        }
        return table.toHtml();
    }

    private static Html devices(List<MappedDeviceInfo> devices) {
        if (devices.isEmpty()) {
            return paragraph("rtrs-empty", "No mapped devices.");
        }
        HtmlTable table =
                new HtmlTable("rtrs-devices", "Name", "Session", "Device path", "Access mode", "Size", "State");
        for (MappedDeviceInfo d : devices) {
            // the words of rnbd:devices
            table.row(
                    d.name(),
                    d.session(),
                    d.devicePath(),
                    d.accessMode() == null ? "-" : d.accessMode(),
                    d.size() < 0 ? "-" : bytes(d.size()),
                    d.state().name().toLowerCase(Locale.ROOT));
        }
        return table.toHtml();
    }

    private static Html exports(List<ExportInfo> exports) {
        if (exports.isEmpty()) {
            return paragraph("rtrs-empty", "No exports.");
        }
        HtmlTable table = new HtmlTable(
                "rtrs-exports",
                "Name",
                "Backend",
                "Parameters",
                "Size",
                "Read-only",
                "Configured",
                "Open",
                "Available");
        for (ExportInfo e : exports) {
            String parameters = e.parameters().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .map(p -> p.getKey() + "=" + p.getValue())
                    .collect(Collectors.joining(", "));
            table.row(
                    e.name(),
                    e.backend(),
                    parameters.isEmpty() ? "-" : parameters,
                    e.sizeBytes() < 0 ? "-" : bytes(e.sizeBytes()),
                    yes(e.readOnly()),
                    yes(e.configured()),
                    e.openCount(),
                    yes(e.available()));
        }
        return table.toHtml();
    }

    private static Html openDevices(List<OpenDeviceInfo> open) {
        if (open.isEmpty()) {
            return paragraph("rtrs-empty", "No client has a device open.");
        }
        HtmlTable table = new HtmlTable("rtrs-open-devices", "Session", "Device id", "Device", "Access mode");
        for (OpenDeviceInfo d : open) {
            table.row(d.session(), d.deviceId(), d.deviceName(), d.accessMode());
        }
        return table.toHtml();
    }

    private static Object[] pathCells(PathInfo p) {
        PathStatistics s = p.statistics();
        return new Object[] {
            p.name(),
            p.state(),
            p.connections(),
            p.roundTripNanos() < 0 ? "-" : p.roundTripNanos() / 1000,
            s.readCount(),
            bytes(s.readBytes()),
            s.writeCount(),
            bytes(s.writeBytes()),
            s.inflight()
        };
    }

    private static String addresses(ApplianceSnapshot.Server s) {
        return s.addresses().stream().map(DataJson::address).collect(Collectors.joining(", "));
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }

    /** Bytes in binary units, e.g. {@code 256.0 MiB}. */
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

    private static Html paragraph(String cssClass, String text) {
        return new Html("<p class=\"" + cssClass + "\">" + Html.escape(text) + "</p>");
    }

    @SafeVarargs
    private static <T> T[] concat(T[]... parts) {
        return Arrays.stream(parts).flatMap(Arrays::stream).toArray(n -> Arrays.copyOf(parts[0], n));
    }

    /** The action forms: plain POSTs (they work without JavaScript), each with the form token. */
    private record Forms(String token, String pluginRoot) {

        Html setPolicy(ApplianceSnapshot.ClientSessionState s, Map<String, List<String>> policies) {
            StringBuilder html = start(ConsoleActions.SET_POLICY, null);
            hidden(html, ConsoleActions.SESSION, s.name());
            html.append("<select name=\"")
                    .append(ConsoleActions.POLICY)
                    .append("\" aria-label=\"")
                    .append(Html.escape("Multipath policy of session " + s.name()))
                    .append("\">");
            if (!policies.containsKey(s.policy())) {
                html.append("<option value=\"\" selected=\"selected\" disabled=\"disabled\">choose</option>");
            }
            for (Map.Entry<String, List<String>> p : policies.entrySet()) {
                html.append("<option value=\"")
                        .append(Html.escape(p.getKey()))
                        .append('"')
                        .append(p.getKey().equals(s.policy()) ? " selected=\"selected\"" : "")
                        .append('>')
                        .append(Html.escape(
                                p.getValue().isEmpty()
                                        ? p.getKey()
                                        : p.getKey() + " (" + String.join(", ", p.getValue()) + ")"))
                        .append("</option>");
            }
            html.append("</select> <button type=\"submit\">Set</button></form>");
            return new Html(html.toString());
        }

        Html closePath(ApplianceSnapshot.ServerSessionState s, PathInfo p) {
            StringBuilder html = start(
                    ConsoleActions.CLOSE_PATH,
                    "Close path " + p.name() + " of session " + s.name() + "? Its client reconnects it.");
            hidden(html, ConsoleActions.SESSION, s.name());
            hidden(html, ConsoleActions.PATH, p.uuid().toString());
            html.append("<button type=\"submit\">Close path</button></form>");
            return new Html(html.toString());
        }

        /** Reconnect and remove, side by side, for one path of a client session. */
        Html clientPath(String session, PathInfo p) {
            StringBuilder html = start(
                    ConsoleActions.RECONNECT_PATH,
                    "Reconnect path " + p.name() + " of session " + session + "? Its IO fails over meanwhile.");
            hidden(html, ConsoleActions.SESSION, session);
            hidden(html, ConsoleActions.PATH, p.uuid().toString());
            html.append("<button type=\"submit\">Reconnect</button></form> ");
            html.append(start(
                    ConsoleActions.REMOVE_PATH,
                    "Remove path " + p.name() + " from session " + session + "? Its IO fails over."));
            hidden(html, ConsoleActions.SESSION, session);
            hidden(html, ConsoleActions.PATH, p.uuid().toString());
            html.append("<button type=\"submit\">Remove</button></form>");
            return new Html(html.toString());
        }

        private StringBuilder start(String action, String confirm) {
            StringBuilder html = new StringBuilder("<form class=\"rtrs-action\" method=\"post\" action=\"")
                    .append(Html.escape(pluginRoot))
                    .append('"');
            if (confirm != null) {
                html.append(" data-confirm=\"").append(Html.escape(confirm)).append('"');
            }
            html.append('>');
            hidden(html, ConsoleActions.ACTION, action);
            hidden(html, CsrfToken.PARAMETER, token);
            return html;
        }

        private static void hidden(StringBuilder html, String name, String value) {
            html.append("<input type=\"hidden\" name=\"")
                    .append(name)
                    .append("\" value=\"")
                    .append(Html.escape(value))
                    .append("\"/>");
        }
    }
}
