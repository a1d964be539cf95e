package dev.rtrs.block.server.internal;

import dev.rtrs.block.protocol.AccessMode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The RNBD state of one RTRS session: the devices it opened, by the ids the server gave them. */
final class RnbdSession {

    /** A device a session opened. */
    record OpenDevice(int id, Export export, AccessMode mode, String deviceName) {}

    final String name;
    private final Map<Integer, OpenDevice> devices = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();
    volatile boolean introduced;

    RnbdSession(String name) {
        this.name = name;
    }

    OpenDevice device(int id) {
        return devices.get(id);
    }

    /** The device the session opened under {@code deviceName}, or null. */
    OpenDevice opened(String deviceName) {
        for (OpenDevice d : devices.values()) {
            if (d.deviceName().equals(deviceName)) {
                return d;
            }
        }
        return null;
    }

    OpenDevice add(Export export, AccessMode mode, String deviceName) {
        int id = nextId.getAndIncrement();
        OpenDevice d = new OpenDevice(id, export, mode, deviceName);
        devices.put(id, d);
        return d;
    }

    OpenDevice remove(int id) {
        return devices.remove(id);
    }

    List<OpenDevice> devices() {
        return List.copyOf(devices.values());
    }
}
