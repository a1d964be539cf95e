package dev.rtrs.webconsole.internal;

import dev.rtrs.block.RnbdClientAdmin.MappedDeviceInfo;
import dev.rtrs.block.RnbdServerAdmin.ExportInfo;
import dev.rtrs.block.RnbdServerAdmin.OpenDeviceInfo;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathStatistics;
import java.io.StringWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import javax.json.Json;
import javax.json.stream.JsonGenerator;
import javax.json.stream.JsonGeneratorFactory;

/**
 * data.json, the document the page's chart polls: the snapshot's sessions, paths, devices and exports, and the sampled
 * per-path rates. Its shape is documented in the README ("Web console"); a section whose service is absent is
 * {@code null} and listed in {@code missing}.
 */
final class DataJson {

    private static final JsonGeneratorFactory GENERATORS = Json.createGeneratorFactory(Map.of());

    private DataJson() {}

    static String toJson(ApplianceSnapshot snapshot, PathHistory.Snapshot history) {
        StringWriter out = new StringWriter();
        write(snapshot, history, out);
        return out.toString();
    }

    static void write(ApplianceSnapshot snapshot, PathHistory.Snapshot history, Writer out) {
        try (JsonGenerator json = GENERATORS.createGenerator(out)) {
            json.writeStartObject();
            json.write("time", snapshot.timeMillis());
            if (snapshot.transport().isPresent()) {
                transport(
                        json.writeStartObject(Section.TRANSPORT.jsonName()),
                        snapshot.transport().get());
            } else {
                json.writeNull(Section.TRANSPORT.jsonName());
            }
            if (snapshot.client().isPresent()) {
                json.writeStartObject(Section.RNBD_CLIENT.jsonName());
                devices(json.writeStartArray("devices"), snapshot.client().get().devices());
                json.writeEnd();
            } else {
                json.writeNull(Section.RNBD_CLIENT.jsonName());
            }
            if (snapshot.server().isPresent()) {
                server(
                        json.writeStartObject(Section.RNBD_SERVER.jsonName()),
                        snapshot.server().get());
            } else {
                json.writeNull(Section.RNBD_SERVER.jsonName());
            }
            json.writeStartArray("missing");
            for (Section s : snapshot.missing()) {
                json.writeStartObject()
                        .write("section", s.jsonName())
                        .write("message", s.missing())
                        .writeEnd();
            }
            json.writeEnd();
            history(json.writeStartObject("history"), history);
            json.writeEnd();
        }
    }

    private static void transport(JsonGenerator json, ApplianceSnapshot.Transport t) {
        json.writeStartObject("policies");
        for (Map.Entry<String, List<String>> e : t.policies().entrySet()) {
            strings(json.writeStartArray(e.getKey()), e.getValue());
        }
        json.writeEnd();
        json.writeStartArray("clientSessions");
        for (ApplianceSnapshot.ClientSessionState s : t.clientSessions()) {
            json.writeStartObject()
                    .write("name", s.name())
                    .write("uuid", s.uuid().toString())
                    .write("state", s.state().name())
                    .write("policy", s.policy())
                    .write("queueDepth", s.queueDepth());
            paths(json.writeStartArray("paths"), s.paths(), true);
            json.writeEnd();
        }
        json.writeEnd();
        json.writeStartArray("servers");
        for (ApplianceSnapshot.Server server : t.servers()) {
            json.writeStartObject();
            json.writeStartArray("addresses");
            for (InetSocketAddress a : server.addresses()) {
                json.write(address(a));
            }
            json.writeEnd();
            json.write("queueDepth", server.options().queueDepth())
                    .write("chunkSize", server.options().chunkSize())
                    .write("maxIoSize", server.maxIoSize())
                    .write("alwaysInvalidate", server.options().alwaysInvalidate())
                    .write("provider", server.options().provider());
            json.writeStartArray("sessions");
            for (ApplianceSnapshot.ServerSessionState s : server.sessions()) {
                json.writeStartObject()
                        .write("name", s.name())
                        .write("uuid", s.uuid().toString())
                        .write("queueDepth", s.queueDepth());
                paths(json.writeStartArray("paths"), s.paths(), false);
                json.writeEnd();
            }
            json.writeEnd();
            json.writeEnd();
        }
        json.writeEnd();
        json.writeEnd();
    }

    /** Fail-over and reconnects happen on the client side only. */
    private static void paths(JsonGenerator json, List<PathInfo> paths, boolean clientSide) {
        for (PathInfo p : paths) {
            json.writeStartObject().write("uuid", p.uuid().toString()).write("name", p.name());
            if (p.source() == null) {
                json.writeNull("source");
            } else {
                json.write("source", address(p.source()));
            }
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
            json.writeEnd();
            json.writeEnd();
        }
        json.writeEnd();
    }

    private static void devices(JsonGenerator json, List<MappedDeviceInfo> devices) {
        for (MappedDeviceInfo d : devices) {
            json.writeStartObject()
                    .write("name", d.name())
                    .write("session", d.session())
                    .write("devicePath", d.devicePath());
            if (d.accessMode() == null) {
                json.writeNull("accessMode");
            } else {
                json.write("accessMode", d.accessMode().name());
            }
            if (d.size() < 0) {
                json.writeNull("size");
            } else {
                json.write("size", d.size());
            }
            json.write("state", d.state().name()).writeEnd();
        }
        json.writeEnd();
    }

    private static void server(JsonGenerator json, ApplianceSnapshot.BlockServer server) {
        json.write("devSearchPath", server.devSearchPath());
        json.writeStartArray("exports");
        for (ExportInfo e : server.exports()) {
            json.writeStartObject().write("name", e.name()).write("backend", e.backend());
            json.writeStartObject("parameters");
            e.parameters().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(p -> json.write(p.getKey(), p.getValue()));
            json.writeEnd();
            json.write("readOnly", e.readOnly())
                    .write("configured", e.configured())
                    .write("openCount", e.openCount())
                    .write("available", e.available());
            if (e.sizeBytes() < 0) {
                json.writeNull("size");
            } else {
                json.write("size", e.sizeBytes());
            }
            json.writeEnd();
        }
        json.writeEnd();
        json.writeStartArray("openDevices");
        for (OpenDeviceInfo d : server.openDevices()) {
            json.writeStartObject()
                    .write("session", d.session())
                    .write("deviceId", d.deviceId())
                    .write("device", d.deviceName())
                    .write("accessMode", d.accessMode())
                    .writeEnd();
        }
        json.writeEnd();
        json.writeEnd();
    }

    private static void history(JsonGenerator json, PathHistory.Snapshot history) {
        json.write("capacity", history.capacity()).write("untrackedPaths", history.untrackedPaths());
        json.writeStartArray("times");
        for (long t : history.timesMillis()) {
            json.write(t);
        }
        json.writeEnd();
        json.writeStartArray("series");
        for (PathHistory.Series s : history.series()) {
            json.writeStartObject()
                    .write("key", s.key())
                    .write("side", s.side())
                    .write("session", s.session())
                    .write("path", s.path());
            rates(json.writeStartArray("readIops"), s.readIops(), 10);
            rates(json.writeStartArray("writeIops"), s.writeIops(), 10);
            rates(json.writeStartArray("readBytesPerSecond"), s.readBytesPerSecond(), 1);
            rates(json.writeStartArray("writeBytesPerSecond"), s.writeBytesPerSecond(), 1);
            json.writeEnd();
        }
        json.writeEnd();
        json.writeEnd();
    }

    /** Rates rounded to 1/{@code per} (a chart needs no more), NaN as null. */
    private static void rates(JsonGenerator json, double[] values, int per) {
        for (double v : values) {
            if (Double.isNaN(v)) {
                json.writeNull();
            } else if (per == 1) {
                json.write(Math.round(v));
            } else {
                json.write(Math.round(v * per) / (double) per);
            }
        }
        json.writeEnd();
    }

    private static void strings(JsonGenerator json, List<String> values) {
        values.forEach(json::write);
        json.writeEnd();
    }

    /** {@code host:port}, an IPv6 host in brackets. */
    static String address(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
