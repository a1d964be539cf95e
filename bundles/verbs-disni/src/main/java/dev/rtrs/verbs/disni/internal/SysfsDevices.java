package dev.rtrs.verbs.disni.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * RDMA devices as Linux shows them in sysfs. DiSNI 2.1 has no device list and no device name, so the names come
 * from {@code /sys/class/infiniband}, the network interfaces of a device (whose addresses reach it through RDMA CM)
 * from its {@code device/net}, and the device behind an open verbs context from the context's command file
 * descriptor ({@code /proc/self/fd/N -> /dev/infiniband/uverbsK}, {@code /sys/class/infiniband_verbs/uverbsK/ibdev}).
 */
public final class SysfsDevices {

    private final Path root;

    /** @param root the file system root; tests give a temporary directory */
    public SysfsDevices(Path root) {
        this.root = root;
    }

    public static SysfsDevices system() {
        return new SysfsDevices(Path.of("/"));
    }

    /** The directory listing the RDMA devices. */
    public Path infinibandClass() {
        return root.resolve("sys/class/infiniband");
    }

    /** Device names, sorted; empty when the directory is missing or unreadable. */
    public List<String> deviceNames() {
        return list(infinibandClass());
    }

    /** Network interfaces of a device, e.g. {@code ib0} or {@code enp65s0f0}, sorted. */
    public List<String> networkInterfaces(String device) {
        return list(infinibandClass().resolve(device).resolve("device/net"));
    }

    /** The device whose verbs context owns the given command file descriptor of this process. */
    public Optional<String> deviceOfVerbsFd(int fd) {
        try {
            Path target = Files.readSymbolicLink(root.resolve("proc/self/fd/" + fd));
            Path uverbs = target.getFileName();
            if (uverbs == null || !uverbs.toString().startsWith("uverbs")) {
                return Optional.empty();
            }
            Path ibdev = root.resolve("sys/class/infiniband_verbs")
                    .resolve(uverbs.toString())
                    .resolve("ibdev");
            String name = Files.readString(ibdev, StandardCharsets.US_ASCII).trim();
            return name.isEmpty() ? Optional.empty() : Optional.of(name);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static List<String> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            List<String> names = new ArrayList<>();
            entries.forEach(p -> names.add(p.getFileName().toString()));
            names.sort(null);
            return names;
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }
}
