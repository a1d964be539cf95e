package dev.rtrs.verbs.disni.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether the provider can run here, and if not, everything that is missing, so that one log line or one exception
 * tells the operator the whole story.
 *
 * @param devices the RDMA devices found
 * @param missing what is missing, in the order libdisni, device, JVM flag, DiSNI start; empty when available
 */
public record Availability(List<String> devices, List<String> missing) {

    public Availability {
        devices = List.copyOf(devices);
        missing = List.copyOf(missing);
    }

    public boolean available() {
        return missing.isEmpty();
    }

    /** One line: {@code <prefix>: <missing 1>; <missing 2>}, or the devices when available. */
    public String describe(String prefix) {
        return prefix + ": " + (available() ? "devices " + String.join(", ", devices) : String.join("; ", missing));
    }

    /**
     * Runs the checks. DiSNI's own provider is started (which logs and checks libdisni's JNI version) only when
     * everything else is present.
     */
    public static Availability check(NativeEnvironment environment, SysfsDevices sysfs) {
        List<String> missing = new ArrayList<>();
        String library = environment.loadLibrary();
        if (library != null) {
            missing.add(library);
        }
        List<String> devices = sysfs.deviceNames();
        if (devices.isEmpty()) {
            missing.add("no RDMA device (no " + sysfs.infinibandClass() + " entries)");
        }
        String access = environment.checkDirectBufferAccess();
        if (access != null) {
            missing.add(access);
        }
        if (missing.isEmpty()) {
            String start = environment.startDisni();
            if (start != null) {
                missing.add(start);
            }
        }
        return new Availability(devices, missing);
    }
}
