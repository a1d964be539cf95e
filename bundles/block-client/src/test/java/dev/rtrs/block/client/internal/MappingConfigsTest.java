package dev.rtrs.block.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdClientAdmin.MapRequest;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.errno.Errno;
import dev.rtrs.transport.PathAddress;
import java.util.Dictionary;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A map request is checked as the mapped-device component will read it, and stored as the etc/ files are. */
class MappingConfigsTest {

    private static MapRequest request(String name, List<String> paths, int port, String mode) {
        return new MapRequest(name, "sess", paths, port, "disk", mode);
    }

    private static String refused(MapRequest r) {
        BlockException e = assertThrows(BlockException.class, () -> MappingConfigs.properties(r));
        assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aGoodRequestBecomesTheConfigurationAnEtcFileWouldHold() throws Exception {
        Dictionary<String, Object> p = MappingConfigs.properties(
                request("disk-1.a_b", List.of("127.0.0.1", "ip:10.0.0.1,ip:10.0.0.2:4321"), 1234, "RO"));
        assertEquals("disk-1.a_b", p.get("name"));
        assertEquals("sess", p.get("session"));
        assertEquals("127.0.0.1;ip:10.0.0.1,ip:10.0.0.2:4321", p.get("paths"));
        assertEquals(1234, p.get("port"));
        assertEquals("disk", p.get("devicePath"));
        assertEquals("ro", p.get("accessMode"));
        assertEquals(6, p.size());
        // and the component reads it back as asked
        List<PathAddress> paths = MappingConfigs.paths(new String[] {(String) p.get("paths")}, 1234);
        assertEquals(
                List.of(PathAddress.parse("127.0.0.1", 1234), PathAddress.parse("10.0.0.1,10.0.0.2:4321", 1234)),
                paths);
        assertEquals(AccessMode.RO, MappingConfigs.accessMode((String) p.get("accessMode")));
    }

    @Test
    void badRequestsAreRefusedWithWhatIsWrong() {
        assertTrue(refused(request("-x", List.of("127.0.0.1"), 1234, "rw")).contains("device name '-x'"));
        assertTrue(refused(request("a b", List.of("127.0.0.1"), 1234, "rw")).contains("device name"));
        assertTrue(refused(request("d", List.of("127.0.0.1"), 1234, "rx")).contains("access mode 'rx'"));
        assertTrue(
                refused(request("d", List.of("127.0.0.1:99999"), 1234, "rw")).contains("bad path '127.0.0.1:99999'"));
        assertTrue(refused(request("d", List.of("host.example"), 1234, "rw")).contains("not an IPv4 or IPv6"));
        assertTrue(refused(request("d", List.of("127.0.0.1;127.0.0.2"), 1234, "rw"))
                .contains("one [src,]dst"));
        assertTrue(refused(request("d", List.of(), 1234, "rw")).contains("1 to 128 paths"));
        assertTrue(refused(request("d", List.of("127.0.0.1"), 0, "rw")).contains("port 0"));
        assertTrue(refused(new MapRequest("d", "", List.of("127.0.0.1"), 1, "disk", "rw"))
                .contains("session name"));
        assertTrue(refused(new MapRequest("d", "s", List.of("127.0.0.1"), 1, "", "rw"))
                .contains("device name must"));
        assertTrue(refused(new MapRequest("d", "s", List.of("127.0.0.1"), 1, "x".repeat(300), "rw"))
                .contains("1 to 254 bytes"));
    }

    @Test
    void filterValuesAreEscaped() {
        assertEquals("a\\*b\\(c\\)\\\\", MappingConfigs.filterValue("a*b(c)\\"));
    }
}
