package dev.rtrs.block.backend.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SysfsBlockDevicesTest {

    /** glibc's makedev, to check the decoding against. */
    private static long makedev(long major, long minor) {
        return (major & 0xFFF) << 8 | (major & ~0xFFFL) << 32 | minor & 0xFF | (minor & ~0xFFL) << 12;
    }

    @Test
    void deviceNumbersDecodeAsGlibcDoes() {
        long[][] numbers = {
            {8, 1}, {259, 0}, {7, 7}, {253, 300}, {4095, 255}, {4096, 1 << 19}, {0xFFFF_FFFFL, 0xFFFF_FFFFL}
        };
        for (long[] n : numbers) {
            long rdev = makedev(n[0], n[1]);
            assertEquals(n[0], SysfsBlockDevices.major(rdev), "major of " + n[0] + ":" + n[1]);
            assertEquals(n[1], SysfsBlockDevices.minor(rdev), "minor of " + n[0] + ":" + n[1]);
        }
        assertEquals(8, SysfsBlockDevices.major(0x801));
        assertEquals(1, SysfsBlockDevices.minor(0x801));
    }

    @Test
    void sizeAndBlockSizesOfADiskAndOfItsPartition(@TempDir Path sys, @TempDir Path dev) throws Exception {
        Path disk = Files.createDirectories(sys.resolve("devices/virtual/block/vdz"));
        Files.writeString(disk.resolve("size"), "2048\n");
        Files.createDirectories(disk.resolve("queue"));
        Files.writeString(disk.resolve("queue/logical_block_size"), "512\n");
        Files.writeString(disk.resolve("queue/physical_block_size"), "4096\n");
        Path partition = Files.createDirectories(disk.resolve("vdz1"));
        Files.writeString(partition.resolve("size"), "1024\n");
        Files.createDirectories(sys.resolve("class/block"));
        Files.createSymbolicLink(sys.resolve("class/block/vdz"), disk);
        Files.createSymbolicLink(sys.resolve("class/block/vdz1"), partition);
        // device nodes are found by the name they lead to, through links such as /dev/disk/by-id
        Path node = Files.createFile(dev.resolve("vdz1"));
        Path byId = Files.createSymbolicLink(dev.resolve("virtio-serial-1"), node);

        SysfsBlockDevices sysfs = new SysfsBlockDevices(sys);
        Path dir = sysfs.directory(byId);
        assertEquals(sys.resolve("class/block/vdz1"), dir);
        assertEquals(OptionalLong.of(1024 * 512), sysfs.size(dir));
        assertEquals(OptionalInt.of(512), sysfs.logicalBlockSize(dir), "a partition shares its disk's queue");
        assertEquals(OptionalInt.of(4096), sysfs.physicalBlockSize(dir));
        Path whole = sysfs.directory(Files.createFile(dev.resolve("vdz")));
        assertEquals(OptionalLong.of(2048 * 512), sysfs.size(whole));

        assertNull(sysfs.directory(Files.createFile(dev.resolve("sdq"))), "no such device in sysfs");
        Files.writeString(partition.resolve("size"), "garbage");
        assertEquals(OptionalLong.empty(), sysfs.size(dir));
    }

    @Test
    void aRealBlockDeviceIsFoundByItsNumber() throws Exception {
        Path loop = Path.of("/dev/loop0");
        assumeTrue(Files.exists(loop) && SysfsBlockDevices.isBlockDevice(loop), "no /dev/loop0");
        SysfsBlockDevices sysfs = SysfsBlockDevices.system();
        Path dir = sysfs.directory(loop);
        assumeTrue(dir != null, "no sysfs");
        assertEquals(Path.of("/sys/dev/block/7:0"), dir);
        long sectors = Long.parseLong(
                Files.readString(Path.of("/sys/class/block/loop0/size")).trim());
        assertEquals(OptionalLong.of(sectors * 512), sysfs.size(dir));
        assertTrue(sysfs.logicalBlockSize(dir).isPresent());
        assertFalse(SysfsBlockDevices.isBlockDevice(Path.of("/dev/null")), "a character device");
    }
}
