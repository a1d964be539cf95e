package dev.rtrs.block.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.ExportSpec;
import dev.rtrs.errno.Errno;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExportParametersTest {

    private static ExportSpec spec(Map<String, String> parameters) {
        return new ExportSpec("vol1", parameters, false);
    }

    @Test
    void sizesTakeBinarySuffixesInAnyCase() {
        assertEquals(0, ExportParameters.parseSize("0"));
        assertEquals(4096, ExportParameters.parseSize("4096"));
        assertEquals(64 * 1024, ExportParameters.parseSize("64K"));
        assertEquals(64 * 1024, ExportParameters.parseSize(" 64k "));
        assertEquals(3L << 20, ExportParameters.parseSize("3M"));
        assertEquals(5L << 30, ExportParameters.parseSize("5g"));
        assertEquals(2L << 40, ExportParameters.parseSize("2T"));
        assertEquals((1L << 63) - (1L << 40), ExportParameters.parseSize(((1L << 23) - 1) + "T"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "K", "-1", "1.5G", "12Q", "1KB", "0x10", "9223372036854775808", "8388608T", "1 G"})
    void malformedOrOverflowingSizesAreRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> ExportParameters.parseSize(text));
        BlockException e =
                assertThrows(BlockException.class, () -> ExportParameters.size(spec(Map.of("size", text)), "size"));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("vol1") && e.getMessage().contains("size"), e.getMessage());
    }

    @Test
    void absentParametersAreEmptyOrRefusedWhenRequired() throws Exception {
        assertEquals(OptionalLong.empty(), ExportParameters.size(spec(Map.of()), "size"));
        assertEquals(OptionalLong.of(1 << 20), ExportParameters.size(spec(Map.of("size", "1M")), "size"));
        assertEquals(OptionalInt.empty(), ExportParameters.logicalBlockSize(spec(Map.of())));
        assertFalse(ExportParameters.flag(spec(Map.of()), "create"));
        assertEquals("/a b", ExportParameters.required(spec(Map.of("path", " /a b ")), "path"));
        assertEquals(
                Errno.EINVAL,
                assertThrows(BlockException.class, () -> ExportParameters.required(spec(Map.of("path", "  ")), "path"))
                        .errno());
        assertEquals(
                Errno.EINVAL,
                assertThrows(BlockException.class, () -> ExportParameters.required(spec(Map.of()), "path"))
                        .errno());
    }

    @Test
    void logicalBlockSizesAreThePowersOfTwoFrom512To4096() throws Exception {
        for (int size : new int[] {512, 1024, 2048, 4096}) {
            assertEquals(
                    OptionalInt.of(size),
                    ExportParameters.logicalBlockSize(spec(Map.of("logical_block_size", Integer.toString(size)))));
        }
        for (String bad : new String[] {"256", "8192", "1000", "4k", "", "x"}) {
            assertThrows(
                    BlockException.class,
                    () -> ExportParameters.logicalBlockSize(spec(Map.of("logical_block_size", bad))),
                    bad);
        }
    }

    @Test
    void flagsAreTrueOrFalse() throws Exception {
        assertTrue(ExportParameters.flag(spec(Map.of("create", "TRUE")), "create"));
        assertFalse(ExportParameters.flag(spec(Map.of("create", "false")), "create"));
        assertThrows(BlockException.class, () -> ExportParameters.flag(spec(Map.of("create", "yes")), "create"));
    }

    @Test
    void unknownParametersAreListedSorted() {
        ExportSpec s = spec(Map.of("size", "1M", "sise", "2M", "backend", "memory"));
        assertEquals(Set.of("backend", "sise"), ExportParameters.unknown(s, "size", "logical_block_size"));
        assertEquals("[backend, sise]", ExportParameters.unknown(s, "size").toString());
    }
}
