package dev.rtrs.shell.internal;

import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdClientAdmin.MappedDeviceInfo;
import dev.rtrs.block.RnbdServerAdmin.ExportInfo;
import dev.rtrs.block.RnbdServerAdmin.OpenDeviceInfo;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathStatistics;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;
import dev.rtrs.verbs.DeviceCapabilities;
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.VerbsProvider;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.json.Json;
import javax.json.stream.JsonGenerator;
import javax.json.stream.JsonGeneratorFactory;

/**
 * What the list and show commands print with {@code --json}: one JSON document on one line, lists sorted by name. The
 * shapes are documented in the README ("Shell commands"); a path has the shape of the web console's data.json. Written
 * with javax.json, which Karaf's framework runs, so that escaping is the library's and not ours.
 */
final class JsonViews {

    private static final JsonGeneratorFactory GENERATORS = Json.createGeneratorFactory(Map.of());

    private JsonViews() {}

    /** Writes one document with {@code body} and prints it as a line. */
    static void print(PrintStream out, Consumer<JsonGenerator> body) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = GENERATORS.createGenerator(text)) {
            body.accept(json);
        }
        out.println(text);
    }

    static void clientSessions(JsonGenerator json, List<ClientSession> sessions) {
        json.writeStartArray();
        for (ClientSession s : sorted(sessions, ClientSession::name)) {
            clientSession(json, s);
        }
        json.writeEnd();
    }

    static void clientSession(JsonGenerator json, ClientSession s) {
        json.writeStartObject()
                .write("name", s.name())
                .write("uuid", s.uuid().toString())
                .write("state", s.state().name())
                .write("policy", s.policy())
                .write("queueDepth", s.queueDepth())
                .write("maxIoSize", s.maxIoSize())
                .write("maxReconnectAttempts", s.maxReconnectAttempts());
        paths(json, s.paths(), true);
        json.writeEnd();
    }

    static void servers(JsonGenerator json, List<ServerEndpoint> servers) {
        json.writeStartArray();
        for (ServerEndpoint e : servers) {
            json.writeStartObject();
            json.writeStartArray("addresses");
            e.localAddresses().forEach(a -> json.write(address(a)));
            json.writeEnd();
            json.write("queueDepth", e.options().queueDepth())
                    .write("chunkSize", e.options().chunkSize())
                    .write("maxIoSize", e.maxIoSize())
                    .write("alwaysInvalidate", e.options().alwaysInvalidate())
                    .write("provider", e.options().provider());
            json.writeStartArray("sessions");
            for (ServerSession s : sorted(e.sessions(), ServerSession::name)) {
                json.writeStartObject()
                        .write("name", s.name())
                        .write("uuid", s.uuid().toString())
                        .write("queueDepth", s.queueDepth());
                paths(json, s.paths(), false);
                json.writeEnd();
            }
            json.writeEnd().writeEnd();
        }
        json.writeEnd();
    }

    private static void paths(JsonGenerator json, List<PathInfo> paths, boolean clientSide) {
        json.writeStartArray("paths");
        for (PathInfo p : paths) {
            json.writeStartObject().write("uuid", p.uuid().toString()).write("name", p.name());
            nullable(json, "source", p.source() == null ? null : address(p.source()));
            json.write("destination", address(p.destination()))
                    .write("state", p.state().name())
                    .write("connections", p.connections());
            if (p.roundTripNanos() < 0) {
                json.writeNull("roundTripMicros");
            } else {
                json.write("roundTripMicros", p.roundTripNanos() / 1000);
            }
            PathStatistics s = p.statistics();
            json.writeStartObject("statistics")
                    .write("reads", s.readCount())
                    .write("readBytes", s.readBytes())
                    .write("writes", s.writeCount())
                    .write("writeBytes", s.writeBytes())
                    .write("inflight", s.inflight());
            if (clientSide) {
                json.write("failedOver", s.failedOver())
                        .write("reconnects", s.reconnectsSuccessful())
                        .write("failedReconnects", s.reconnectsFailed());
            }
            json.writeEnd().writeEnd();
        }
        json.writeEnd();
    }

    static void policies(JsonGenerator json, Map<String, List<String>> policies, List<ClientSession> sessions) {
        json.writeStartArray();
        for (Map.Entry<String, List<String>> e : new TreeMap<>(policies).entrySet()) {
            json.writeStartObject().write("name", e.getKey());
            json.writeStartArray("aliases");
            e.getValue().forEach(json::write);
            json.writeEnd().writeStartArray("sessions");
            sessions.stream()
                    .filter(s -> s.policy().equals(e.getKey()))
                    .map(ClientSession::name)
                    .sorted()
                    .forEach(json::write);
            json.writeEnd().writeEnd();
        }
        json.writeEnd();
    }

    static void providers(JsonGenerator json, List<VerbsProvider> providers) {
        json.writeStartArray();
        for (VerbsProvider p : sorted(providers, VerbsProvider::name)) {
            for (RdmaDevice d : p.devices()) {
                DeviceCapabilities c = d.capabilities();
                json.writeStartObject()
                        .write("provider", p.name())
                        .write("device", d.name())
                        .write("maxQueuePairWorkRequests", c.maxQueuePairWorkRequests())
                        .write("maxScatterGatherEntries", c.maxScatterGatherEntries())
                        .write("maxCompletionQueueEntries", c.maxCompletionQueueEntries())
                        .write("maxMemoryRegionSize", c.maxMemoryRegionSize())
                        .write("maxPrivateData", c.maxPrivateData());
                json.writeStartArray("optional");
                c.optional().stream().map(Enum::name).sorted().forEach(json::write);
                json.writeEnd().writeEnd();
            }
        }
        json.writeEnd();
    }

    static void mappedDevices(JsonGenerator json, List<MappedDeviceInfo> devices, RnbdClientAdmin client) {
        json.writeStartArray();
        for (MappedDeviceInfo d : sorted(devices, MappedDeviceInfo::name)) {
            json.writeStartObject().write("name", d.name());
            nullable(json, "session", d.session());
            nullable(json, "devicePath", d.devicePath());
            nullable(
                    json,
                    "accessMode",
                    d.accessMode() == null ? null : d.accessMode().name());
            if (d.size() < 0) {
                json.writeNull("size");
            } else {
                json.write("size", d.size());
            }
            json.write("state", d.state().name());
            nullable(json, "nbdUri", client.nbdUri(d.name()));
            json.write("openCount", client.openCount(d.name())).writeEnd();
        }
        json.writeEnd();
    }

    static void exports(JsonGenerator json, List<ExportInfo> exports, List<OpenDeviceInfo> open, String devSearchPath) {
        json.writeStartObject().write("devSearchPath", devSearchPath).writeStartArray("exports");
        for (ExportInfo e : sorted(exports, ExportInfo::name)) {
            json.writeStartObject()
                    .write("name", e.name())
                    .write("backend", e.backend())
                    .writeStartObject("parameters");
            new TreeMap<>(e.parameters()).forEach(json::write);
            json.writeEnd()
                    .write("accessMode", e.readOnly() ? "ro" : "rw")
                    .write("configured", e.configured())
                    .write("available", e.available())
                    .write("openCount", e.openCount());
            if (e.sizeBytes() < 0) {
                json.writeNull("size");
            } else {
                json.write("size", e.sizeBytes());
            }
            json.writeStartArray("allowedClients");
            e.allowedClients().forEach(json::write);
            json.writeEnd().writeStartArray("sessions");
            open.stream()
                    .filter(o -> o.deviceName().equals(e.name()))
                    .map(OpenDeviceInfo::session)
                    .distinct()
                    .sorted()
                    .forEach(json::write);
            json.writeEnd().writeEnd();
        }
        json.writeEnd().writeEnd();
    }

    static void openDevices(JsonGenerator json, List<OpenDeviceInfo> devices) {
        json.writeStartArray();
        for (OpenDeviceInfo d : devices) {
            json.writeStartObject()
                    .write("session", d.session())
                    .write("deviceId", d.deviceId())
                    .write("device", d.deviceName())
                    .write("accessMode", d.accessMode())
                    .writeEnd();
        }
        json.writeEnd();
    }

    private static void nullable(JsonGenerator json, String key, String value) {
        if (value == null) {
            json.writeNull(key);
        } else {
            json.write(key, value);
        }
    }

    private static String address(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static <T> List<T> sorted(List<T> list, Function<T, String> key) {
        List<T> copy = new ArrayList<>(list);
        copy.sort(Comparator.comparing(key));
        return copy;
    }
}
