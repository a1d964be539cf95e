package dev.rtrs.bench.soak;

import dev.rtrs.block.BlockBackend;
import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.BlockStatusReceiver;
import dev.rtrs.block.ExportSpec;
import dev.rtrs.block.backend.AbstractBlockDevice;
import dev.rtrs.block.backend.memory.internal.MemoryBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A memory backend whose export outlives the server that serves it, as a file outlives an appliance's restart: the
 * first open allocates the export's memory, and each open after it (a restarted server's) gets a new handle on the
 * same memory. {@link #closeHandles} closes the handles given out so far, as a stopped process lets go of its
 * file: an IO the old server still had fails with EIO instead of landing after the new server's. One export only.
 */
final class KeptStorage implements BlockBackend, AutoCloseable {

    private final MemoryBackend memory = MemoryBackend.withDefaults();
    /** The export's memory, opened once. Guarded by this. */
    private BlockDevice storage;
    /** Handles given out since the last {@link #closeHandles}. Guarded by this. */
    private final List<BlockDevice> handles = new ArrayList<>();

    @Override
    public String type() {
        return memory.type();
    }

    /** Called by the RNBD server when the first client opens the export; blocks while the memory is allocated. */
    @Override
    public synchronized BlockDevice open(ExportSpec spec) throws IOException {
        if (storage == null) {
            storage = memory.open(spec);
        }
        BlockDevice handle = new Handle(storage);
        handles.add(handle);
        return handle;
    }

    /** Closes the handles given out so far; the memory stays. */
    synchronized void closeHandles() {
        handles.forEach(BlockDevice::close);
        handles.clear();
    }

    /** Releases the memory. */
    @Override
    public void close() {
        closeHandles();
        memory.deactivate();
    }

    /** One server's view of the kept memory: every operation goes to it, and closing the handle leaves it open. */
    private static final class Handle extends AbstractBlockDevice {

        private final BlockDevice storage;

        Handle(BlockDevice storage) {
            super(
                    storage.name(),
                    storage.size(),
                    storage.logicalBlockSize(),
                    storage.physicalBlockSize(),
                    storage.isReadOnly());
            this.storage = storage;
        }

        @Override
        public boolean hasWriteCache() {
            return storage.hasWriteCache();
        }

        @Override
        public boolean supportsFua() {
            return storage.supportsFua();
        }

        @Override
        public boolean supportsDiscard() {
            return storage.supportsDiscard();
        }

        @Override
        public boolean supportsWriteZeroes() {
            return storage.supportsWriteZeroes();
        }

        @Override
        protected void doRead(long offset, ByteBuffer dst, BlockCompletion done) {
            storage.read(offset, dst, done);
        }

        @Override
        protected void doWrite(long offset, ByteBuffer src, boolean fua, BlockCompletion done) {
            storage.write(offset, src, fua ? FUA : 0, done);
        }

        @Override
        protected void doFlush(BlockCompletion done) {
            storage.flush(done);
        }

        @Override
        protected void doDiscard(long offset, long length, BlockCompletion done) {
            storage.discard(offset, length, done);
        }

        @Override
        protected void doWriteZeroes(long offset, long length, BlockCompletion done) {
            storage.writeZeroes(offset, length, done);
        }

        @Override
        protected void doBlockStatus(long offset, long length, BlockStatusReceiver receiver) {
            storage.blockStatus(offset, length, receiver);
        }

        @Override
        protected void doClose() {
            // the memory belongs to KeptStorage
        }
    }
}
