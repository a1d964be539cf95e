package dev.rtrs.block.backend.file.internal;

import dev.rtrs.block.BlockBackend;
import dev.rtrs.block.conformance.BlockBackendConformance;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The backend contract on sparse regular files in a temporary directory, with three IO threads. */
class FileBackendConformanceTest extends BlockBackendConformance {

    @TempDir
    Path dir;

    @Override
    protected BlockBackend createBackend() {
        return new FileBackend(FileConfigs.ioThreads(3));
    }

    @Override
    protected void stopBackend(BlockBackend backend) {
        ((FileBackend) backend).deactivate();
    }

    @Override
    protected Map<String, String> newStorage(String name, long size, int logicalBlockSize) throws Exception {
        Path file = dir.resolve(name + ".img");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
        return Map.of("path", file.toString(), "logical_block_size", Integer.toString(logicalBlockSize));
    }
}
