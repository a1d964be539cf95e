package dev.rtrs.block.backend.memory.internal;

import dev.rtrs.block.BlockBackend;
import dev.rtrs.block.conformance.BlockBackendConformance;
import java.util.Map;

/** The backend contract, with 64 KiB slabs so that IO crosses slab boundaries everywhere. */
class MemoryBackendConformanceTest extends BlockBackendConformance {

    @Override
    protected BlockBackend createBackend() {
        return new MemoryBackend(MemoryConfigs.capacity("0"), 16);
    }

    @Override
    protected void stopBackend(BlockBackend backend) {
        ((MemoryBackend) backend).deactivate();
    }

    @Override
    protected Map<String, String> newStorage(String name, long size, int logicalBlockSize) {
        return Map.of("size", Long.toString(size), "logical_block_size", Integer.toString(logicalBlockSize));
    }
}
