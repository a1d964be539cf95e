package dev.rtrs.block.backend.file.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What sysfs says about block devices: FileChannel.size() is 0 for a block device on some JDKs, and Java has no
 * ioctl, so the size and the block sizes are read from {@code /sys}.
 */
final class SysfsBlockDevices {

    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    private final Path root;

    SysfsBlockDevices(Path root) {
        this.root = root;
    }

    static SysfsBlockDevices system() {
        return new SysfsBlockDevices(Path.of("/sys"));
    }

    /** Whether {@code path}, after symbolic links, is a block device node. */
    static boolean isBlockDevice(Path path) throws IOException {
        try {
            return ((Integer) Files.getAttribute(path, "unix:mode") & S_IFMT) == S_IFBLK;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return false; // no unix attribute view: not Linux, so no block devices either
        }
    }

    /**
     * The device's sysfs directory: {@code /sys/dev/block/MAJOR:MINOR} by its device number (right for
     * {@code /dev/disk/by-id} links and device-mapper names too), else {@code /sys/class/block/NAME} by the name
     * of the node the path leads to. Null when neither exists.
     */
    Path directory(Path device) {
        try {
            long rdev = (Long) Files.getAttribute(device, "unix:rdev");
            Path byNumber = root.resolve("dev/block/" + major(rdev) + ":" + minor(rdev));
            if (rdev != 0 && Files.isDirectory(byNumber)) {
                return byNumber;
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // fall through to the name
        }
        try {
            Path byName = root.resolve("class/block")
                    .resolve(device.toRealPath().getFileName().toString());
            return Files.isDirectory(byName) ? byName : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Capacity in bytes ({@code size} counts 512-byte sectors whatever the block size). */
    OptionalLong size(Path directory) {
        OptionalLong sectors = number(directory.resolve("size"));
        if (sectors.isEmpty() || sectors.getAsLong() < 0 || sectors.getAsLong() > Long.MAX_VALUE >> 9) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(sectors.getAsLong() << 9);
    }

    OptionalInt logicalBlockSize(Path directory) {
        return queue(directory, "logical_block_size");
    }

    OptionalInt physicalBlockSize(Path directory) {
        return queue(directory, "physical_block_size");
    }

    /** A queue attribute: a partition has none of its own and shares its disk's. */
    private OptionalInt queue(Path directory, String name) {
        OptionalLong value = number(directory.resolve("queue").resolve(name));
        if (value.isEmpty()) {
            try {
                Path disk = directory.toRealPath().getParent();
                value = disk == null
                        ? OptionalLong.empty()
                        : number(disk.resolve("queue").resolve(name));
            } catch (IOException e) {
                return OptionalInt.empty();
            }
        }
        return value.isPresent() && value.getAsLong() > 0 && value.getAsLong() <= Integer.MAX_VALUE
                ? OptionalInt.of((int) value.getAsLong())
                : OptionalInt.empty();
    }

    private static OptionalLong number(Path file) {
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** As glibc's gnu_dev_major. */
    static long major(long rdev) {
        return ((rdev >>> 8) & 0xFFF) | ((rdev >>> 32) & 0xFFFF_F000L);
    }

    /** As glibc's gnu_dev_minor. */
    static long minor(long rdev) {
        return (rdev & 0xFF) | ((rdev >>> 12) & 0xFFFF_FF00L);
    }
}
