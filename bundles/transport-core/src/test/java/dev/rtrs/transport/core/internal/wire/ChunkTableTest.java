package dev.rtrs.transport.core.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rtrs.errno.Errno;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** INFO_RSP as the kernel's server sends it: one descriptor per chunk, or one per memory region of many chunks. */
class ChunkTableTest {

    private static final int CHUNK = 128 * 1024;

    @Test
    void oneDescriptorPerChunk() throws Exception {
        List<SgDesc> d = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            d.add(new SgDesc(0x10000000L + i * 0x100000L, 100 + i, CHUNK));
        }
        ChunkTable t = ChunkTable.of(d, 4, CHUNK);
        assertEquals(4, t.size());
        assertEquals(0x10300000L, t.address(3));
        assertEquals(103, t.key(3));
    }

    @Test
    void aRegionDescriptorIsSplitByTheChunkSize() throws Exception {
        // the kernel without always_invalidate: 512 chunks in two regions of 256
        List<SgDesc> d =
                List.of(new SgDesc(0x7f0000000000L, 0x11, 256 * CHUNK), new SgDesc(0x7f8000000000L, 0x22, 256 * CHUNK));
        ChunkTable t = ChunkTable.of(d, 512, CHUNK);
        assertEquals(512, t.size());
        assertEquals(0x7f0000000000L, t.address(0));
        assertEquals(0x7f0000000000L + 255L * CHUNK, t.address(255));
        assertEquals(0x11, t.key(255));
        assertEquals(0x7f8000000000L, t.address(256));
        assertEquals(0x22, t.key(511));
    }

    @Test
    void refusesWhatTheKernelsClientRefuses() throws Exception {
        assertEquals(
                Errno.EINVAL,
                assertThrows(
                                WireFormatException.class,
                                () -> ChunkTable.of(List.of(new SgDesc(0, 1, CHUNK + 512)), 1, CHUNK))
                        .errno(),
                "a length that is no multiple of the chunk size");
        assertThrows(
                WireFormatException.class,
                () -> ChunkTable.of(List.of(new SgDesc(0, 1, 3 * CHUNK)), 4, CHUNK),
                "fewer chunks than CON_RSP announced");
        assertThrows(
                WireFormatException.class,
                () -> ChunkTable.of(List.of(new SgDesc(0, 1, 5 * CHUNK)), 4, CHUNK),
                "more chunks than CON_RSP announced");
        assertThrows(
                WireFormatException.class,
                () -> ChunkTable.of(List.of(new SgDesc(0, 1, 0)), 0, CHUNK),
                "an empty descriptor");
        assertThrows(
                WireFormatException.class,
                () -> ChunkTable.of(List.of(new SgDesc(0, 1, 65535 * 8192)), 65535, 8192),
                "65535 chunks leave 12 offset bits: 8 KiB chunks do not fit the immediate");
        assertEquals(
                65535,
                ChunkTable.of(List.of(new SgDesc(0, 1, 65535 * 4096)), 65535, 4096)
                        .size());
    }
}
