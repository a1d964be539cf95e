package dev.rtrs.block.client.internal.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing the data of the meta context options, and which queries name base:allocation. */
class NbdMetaContextsTest {

    @Test
    void parsesTheExportAndItsQueries() throws Exception {
        NbdMetaContexts.Request r =
                NbdMetaContexts.parse(ByteBuffer.wrap(NbdWireClient.metaData("disk", "base:allocation", "x-a:b")));
        assertEquals("disk", r.export());
        assertEquals(List.of("base:allocation", "x-a:b"), r.queries());
        assertEquals(
                List.of(),
                NbdMetaContexts.parse(ByteBuffer.wrap(NbdWireClient.metaData("")))
                        .queries());
    }

    @Test
    void malformedDataIsRefused() {
        byte[] good = NbdWireClient.metaData("disk", "base:allocation");
        for (int cut = 0; cut < good.length; cut++) {
            byte[] shorter = Arrays.copyOf(good, cut);
            assertThrows(
                    NbdMetaContexts.InvalidRequest.class,
                    () -> NbdMetaContexts.parse(ByteBuffer.wrap(shorter)),
                    "cut at " + cut);
        }
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThrows(NbdMetaContexts.InvalidRequest.class, () -> NbdMetaContexts.parse(ByteBuffer.wrap(longer)));
        byte[] negative = ByteBuffer.allocate(8).putInt(-1).putInt(0).array();
        assertThrows(NbdMetaContexts.InvalidRequest.class, () -> NbdMetaContexts.parse(ByteBuffer.wrap(negative)));
        byte[] notUtf8 =
                ByteBuffer.allocate(9).putInt(1).put((byte) 0xC3).putInt(0).array();
        assertThrows(NbdMetaContexts.InvalidRequest.class, () -> NbdMetaContexts.parse(ByteBuffer.wrap(notUtf8)));
    }

    @Test
    void listingAndSelectingBaseAllocation() {
        assertTrue(NbdMetaContexts.listsAllocation(List.of()), "no query lists everything");
        assertTrue(NbdMetaContexts.listsAllocation(List.of("qemu:x", "base:")));
        assertTrue(NbdMetaContexts.listsAllocation(List.of("base:allocation")));
        assertFalse(NbdMetaContexts.listsAllocation(List.of("base:alloc", "qemu:allocation-depth")));
        assertTrue(NbdMetaContexts.selectsAllocation(List.of("x-y:z", "base:allocation")));
        assertFalse(NbdMetaContexts.selectsAllocation(List.of()), "no query selects nothing");
        assertFalse(NbdMetaContexts.selectsAllocation(List.of("base:")), "the namespace selects nothing");
    }
}
