package dev.rtrs.verbs.disni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SysfsDevicesTest {

    @TempDir
    Path root;

    @Test
    void devicesTheirInterfacesAndTheDeviceBehindAVerbsDescriptor() throws Exception {
        Path ib = Files.createDirectories(root.resolve("sys/class/infiniband"));
        Files.createDirectories(ib.resolve("mlx5_1"));
        Files.createDirectories(ib.resolve("mlx5_0/device/net/enp65s0f0"));
        Files.createDirectories(ib.resolve("mlx5_0/device/net/enp65s0f0v1"));
        Path uverbs = Files.createDirectories(root.resolve("sys/class/infiniband_verbs/uverbs3"));
        Files.writeString(uverbs.resolve("ibdev"), "mlx5_1\n");
        Path fds = Files.createDirectories(root.resolve("proc/self/fd"));
        Files.createSymbolicLink(fds.resolve("41"), Path.of("/dev/infiniband/uverbs3"));
        Files.createSymbolicLink(fds.resolve("42"), Path.of("/dev/null"));

        SysfsDevices sysfs = new SysfsDevices(root);
        assertEquals(List.of("mlx5_0", "mlx5_1"), sysfs.deviceNames());
        assertEquals(List.of("enp65s0f0", "enp65s0f0v1"), sysfs.networkInterfaces("mlx5_0"));
        assertEquals(List.of(), sysfs.networkInterfaces("mlx5_1"));
        assertEquals(Optional.of("mlx5_1"), sysfs.deviceOfVerbsFd(41));
        assertEquals(Optional.empty(), sysfs.deviceOfVerbsFd(42), "not a verbs device");
        assertEquals(Optional.empty(), sysfs.deviceOfVerbsFd(43), "no such descriptor");
    }

    @Test
    void noInfinibandClassMeansNoDevice() {
        SysfsDevices sysfs = new SysfsDevices(root);
        assertTrue(sysfs.deviceNames().isEmpty());
        assertEquals(root.resolve("sys/class/infiniband"), sysfs.infinibandClass());
        assertEquals(Path.of("/sys/class/infiniband"), SysfsDevices.system().infinibandClass());
    }
}
